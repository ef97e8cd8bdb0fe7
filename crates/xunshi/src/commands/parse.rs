//! `xunshi parse feedback [FILE]`: the proposed structure of a feedback text as JSON on
//! standard output, read from a file or standard input. Reads no configuration and touches no
//! database: it is the core's parser and nothing else.

use std::io::{Read, Write};
use std::path::Path;
use std::process::ExitCode;

use xunshi_core::feedback_text;

pub fn feedback(file: Option<&Path>) -> Result<ExitCode, String> {
    let (bytes, source) = match file {
        Some(path) => (
            std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?,
            path.display().to_string(),
        ),
        None => {
            let mut bytes = Vec::new();
            std::io::stdin()
                .read_to_end(&mut bytes)
                .map_err(|e| format!("cannot read standard input: {e}"))?;
            (bytes, "standard input".to_owned())
        }
    };
    let text = String::from_utf8(bytes)
        .map_err(|_| format!("{source} is not UTF-8 text; save it as UTF-8 and try again"))?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    if text.trim().is_empty() {
        return Err(format!("{source} holds no text to read"));
    }
    feedback_text::check_input(text).map_err(|e| format!("{source}: {e}"))?;
    let parsed = feedback_text::parse(text);
    let json = serde_json::to_string_pretty(&parsed)
        .map_err(|e| format!("cannot write the result as JSON: {e}"))?;
    match writeln!(std::io::stdout().lock(), "{json}") {
        Ok(()) => Ok(ExitCode::SUCCESS),
        // A reader that stops early (`| head`) is not a failure of the command.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(ExitCode::SUCCESS),
        Err(e) => Err(format!("cannot write to standard output: {e}")),
    }
}
