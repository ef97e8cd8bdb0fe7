//! PDFs of the documents, made by an office suite (LibreOffice's `soffice`) where the
//! installation has one. One run converts all the documents asked for, in a folder and a user
//! profile of its own (so runs side by side never share LibreOffice's lock), and is stopped if
//! it takes longer than `TIMEOUT`.

use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

/// The longest one conversion may take, all its documents together.
const TIMEOUT: Duration = Duration::from_secs(120);

/// The PDF of each of `docx`, in order; the reason when the suite could not make them all.
pub async fn convert(suite: &Path, docx: &[&[u8]]) -> Result<Vec<Vec<u8>>, String> {
    let dir = tempfile::tempdir().map_err(|e| format!("无法建立临时目录：{e}"))?;
    let mut names = Vec::with_capacity(docx.len());
    for (k, bytes) in docx.iter().enumerate() {
        let name = format!("d{k:04}.docx");
        tokio::fs::write(dir.path().join(&name), bytes)
            .await
            .map_err(|e| format!("无法写入临时文件：{e}"))?;
        names.push(name);
    }
    let profile = format!(
        "-env:UserInstallation=file://{}",
        dir.path().join("profile").display()
    );
    let run = tokio::process::Command::new(suite)
        .arg(profile)
        .args([
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf",
            "--outdir",
            "pdf",
        ])
        .args(&names)
        .current_dir(dir.path())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .output();
    let out = tokio::time::timeout(TIMEOUT, run)
        .await
        .map_err(|_| format!("办公套件 {TIMEOUT:?} 内未完成转换"))?
        .map_err(|e| format!("无法运行办公套件 {}：{e}", suite.display()))?;
    let mut pdfs = Vec::with_capacity(names.len());
    for name in &names {
        let pdf = dir.path().join("pdf").join(name.replace(".docx", ".pdf"));
        match tokio::fs::read(&pdf).await {
            Ok(bytes) if bytes.starts_with(b"%PDF") => pdfs.push(bytes),
            _ => {
                let said = String::from_utf8_lossy(&out.stderr);
                return Err(format!(
                    "办公套件未转换 {name}（退出状态 {}）{}",
                    out.status,
                    said.lines()
                        .last()
                        .map(|l| format!("：{l}"))
                        .unwrap_or_default()
                ));
            }
        }
    }
    Ok(pdfs)
}
