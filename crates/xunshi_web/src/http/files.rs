//! Files in and out, the same for both faces: reading an upload from a multipart form, and
//! answering with a file to download.

use axum::body::Body;
use axum::extract::multipart::{Multipart, MultipartError};
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use xunshi_core::crypto::{HashAlg, parse_content_name};
use xunshi_core::paper::{Evidence, FileKind};
use xunshi_core::rectify::TaskEvidence;
use xunshi_core::upload::Upload;

use super::Rejection;
use crate::error::ApiError;

/// The largest request an upload route accepts: the largest file plus room for the multipart
/// framing. Anything larger is refused with 413 before it is read to the end.
pub const UPLOAD_LIMIT: usize = xunshi_core::paper::MAX_EVIDENCE_BYTES + 64 * 1024;

/// The largest text part of a multipart form that is read (the CSRF token, a note).
const TEXT_PART_LIMIT: usize = 64 * 1024;

/// How reading an upload can fail.
#[derive(Debug)]
pub enum UploadError {
    /// Larger than the route accepts (413).
    TooLarge,
    /// Not a multipart form with a `file` part, cut short, or a name or text that breaks the
    /// character rule.
    Bad(String),
    /// The server could not stage it (the staging folder cannot be written).
    Failed(xunshi_core::CoreError),
}

impl From<UploadError> for Rejection {
    fn from(e: UploadError) -> Self {
        match e {
            UploadError::TooLarge => Rejection::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "too_large",
                format!(
                    "文件超过 {} MB",
                    xunshi_core::paper::MAX_EVIDENCE_BYTES / 1024 / 1024
                ),
            ),
            UploadError::Bad(m) => Rejection::field("file", m),
            UploadError::Failed(e) => Rejection::from(e),
        }
    }
}

impl From<UploadError> for ApiError {
    fn from(e: UploadError) -> Self {
        Rejection::from(e).into()
    }
}

/// Where and how an upload is staged: the folder, and the installation's hash that names it.
#[derive(Debug, Clone)]
pub struct Staging {
    dir: std::path::PathBuf,
    alg: HashAlg,
}

impl Staging {
    pub fn of(app: &crate::AppState) -> Staging {
        Staging {
            dir: app.config.upload_dir.clone(),
            alg: app.services.suite.hash(),
        }
    }

    /// Receives a file part in pieces into a staging file, held to the size of an evidence
    /// file as it goes: never the whole file in memory.
    pub async fn receive(
        &self,
        field: &mut axum::extract::multipart::Field<'_>,
    ) -> Result<Upload, UploadError> {
        let mut stager = xunshi_store::Stager::create(&self.dir, self.alg)
            .await
            .map_err(UploadError::Failed)?;
        while let Some(piece) = field.chunk().await.map_err(multipart_error)? {
            if stager.size() + piece.len() as u64 > xunshi_core::paper::MAX_EVIDENCE_BYTES as u64 {
                return Err(UploadError::TooLarge);
            }
            stager.write(&piece).await.map_err(UploadError::Failed)?;
        }
        Ok(Upload::Staged(
            stager.finish().await.map_err(UploadError::Failed)?,
        ))
    }
}

/// The one file of a page's upload form, staged, or the status and message the page shows
/// again with the form: 413 over the size of an evidence file, 400 for anything else that
/// cannot be read.
pub async fn page_upload(
    app: &crate::AppState,
    mp: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<(String, Upload), (StatusCode, String)> {
    let read = match mp {
        Ok(mut mp) => read_upload(&Staging::of(app), &mut mp).await,
        Err(_) => Err(UploadError::Bad("请通过页面上的表单上传文件".into())),
    };
    read.map_err(|e| match e {
        UploadError::TooLarge => (
            StatusCode::PAYLOAD_TOO_LARGE,
            format!(
                "文件超过 {} MB，未上传",
                xunshi_core::paper::MAX_EVIDENCE_BYTES / 1024 / 1024
            ),
        ),
        UploadError::Bad(m) => (StatusCode::BAD_REQUEST, m),
        UploadError::Failed(e) => (
            crate::error::status_of(&e),
            crate::error::public_message(&e),
        ),
    })
}

pub(crate) fn multipart_error(e: MultipartError) -> UploadError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        UploadError::TooLarge
    } else {
        UploadError::Bad(format!("上传内容无法读取：{}", e.body_text()))
    }
}

/// Reads the part named `file` of a multipart form: its file name, and its content staged
/// (`Staging::receive`). Other parts (the pages' CSRF token and idempotency key, already
/// checked by `auth::page_session`) are read only to check them: every text part and the file
/// name must pass the character rule.
pub async fn read_upload(
    staging: &Staging,
    mp: &mut Multipart,
) -> Result<(String, Upload), UploadError> {
    read_form(mp, &[], Some(staging))
        .await
        .map(|(name, content, _)| (name, content))
}

/// The file of a form whole in memory, with the text parts named in `keep` (such as a ledger
/// import's `dry_run`), each the first of its name: for a file that is parsed whole (a ledger
/// to import), never for evidence, which is staged.
pub async fn read_upload_with(
    mp: &mut Multipart,
    keep: &[&str],
) -> Result<(String, Vec<u8>, Vec<(String, String)>), UploadError> {
    match read_form(mp, keep, None).await? {
        (name, Upload::Bytes(bytes), kept) => Ok((name, bytes, kept)),
        (_, Upload::Staged(_), _) => Err(UploadError::Failed(xunshi_core::CoreError::internal(
            "a file to parse was staged",
        ))),
    }
}

/// The file part of a form, staged where `staging` says so, else read whole; and the text
/// parts named in `keep`.
async fn read_form(
    mp: &mut Multipart,
    keep: &[&str],
    staging: Option<&Staging>,
) -> Result<(String, Upload, Vec<(String, String)>), UploadError> {
    let mut kept: Vec<(String, String)> = Vec::new();
    let mut found = None;
    while let Some(mut field) = mp.next_field().await.map_err(multipart_error)? {
        let name = field.name().unwrap_or_default().to_owned();
        if let Some(m) = xunshi_core::text::problem(&name) {
            return Err(UploadError::Bad(format!("表单字段名{m}")));
        }
        if name == "file" && found.is_none() {
            let filename = field.file_name().unwrap_or_default().to_owned();
            if let Some(m) = xunshi_core::text::problem(&filename) {
                return Err(UploadError::Bad(format!("文件名{m}")));
            }
            let content = match staging {
                Some(s) => s.receive(&mut field).await?,
                None => Upload::Bytes(field.bytes().await.map_err(multipart_error)?.to_vec()),
            };
            found = Some((filename, content));
            continue;
        }
        let bytes = field.bytes().await.map_err(multipart_error)?;
        if bytes.len() > TEXT_PART_LIMIT {
            return Err(UploadError::Bad(format!("表单字段 {name} 过长")));
        }
        let text = std::str::from_utf8(&bytes)
            .map_err(|_| UploadError::Bad(format!("表单字段 {name} 不是有效的 UTF-8 文本")))?;
        if let Some(m) = xunshi_core::text::problem(text) {
            return Err(UploadError::Bad(format!("表单字段 {name} {m}")));
        }
        if keep.contains(&name.as_str()) && !kept.iter().any(|(k, _)| *k == name) {
            kept.push((name, text.to_owned()));
        }
    }
    let (filename, content) =
        found.ok_or_else(|| UploadError::Bad("请选择要上传的文件（表单字段 file）".into()))?;
    Ok((filename, content, kept))
}

/// How a page asks for a stored file: shown where it opens (the kinds a browser renders by
/// itself) or, with `?download=true`, saved.
#[derive(Debug, Default, Deserialize)]
pub struct FileQuery {
    #[serde(default)]
    pub download: bool,
}

/// A name as one part of a file's name: the characters file systems refuse (separators,
/// `:*?"<>|`, control characters) each replaced by `_`.
pub fn safe_file_name(name: &str) -> String {
    name.chars()
        .map(|c| match c {
            '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|' => '_',
            c if c.is_control() => '_',
            c => c,
        })
        .collect()
}

/// `Content-Disposition` for a download: an ASCII fallback name and the real one in UTF-8.
pub fn attachment_header(filename: &str) -> String {
    disposition("attachment", filename)
}

/// `Content-Disposition` of the given type (`attachment` or `inline`) with both forms of the
/// name.
fn disposition(kind: &str, filename: &str) -> String {
    let ascii: String = filename
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!(
        "{kind}; filename=\"{ascii}\"; filename*=UTF-8''{}",
        rfc5987(filename)
    )
}

/// Percent-encodes a file name for `filename*` (RFC 5987): everything but the unreserved.
fn rfc5987(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// What a file shown in the page may do: nothing but be itself. The page that shows it may
/// frame it (same origin only); the viewer a browser wraps a PDF or an image in needs its own
/// embed and inline styles, and nothing else is allowed to load.
const INLINE_FILE_POLICY: &str = "default-src 'none'; img-src 'self'; object-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'self'";

/// A stored file as it was uploaded, with its hash in `X-Content-SHA256` (hex), or in
/// `X-Content-SM3` where the installation names files by SM3. Never cached.
/// A PDF or an image is shown in the page unless `save` asks for it to be saved; every other
/// kind is always saved, so nothing uploaded is ever rendered as a page of this site.
fn stored_file(
    kind: FileKind,
    content_type: &str,
    filename: &str,
    name: &str,
    bytes: Vec<u8>,
    save: bool,
) -> Response {
    let inline = kind.shows_inline() && !save;
    let (hash_header, digest) = match parse_content_name(name) {
        Some((HashAlg::Sm3, hex)) => ("x-content-sm3", hex),
        _ => ("x-content-sha256", name),
    };
    let mut resp = Response::new(Body::from(bytes));
    let h = resp.headers_mut();
    let mut headers = vec![
        (header::CONTENT_TYPE, content_type.to_owned()),
        (
            header::CONTENT_DISPOSITION,
            disposition(if inline { "inline" } else { "attachment" }, filename),
        ),
        (header::CACHE_CONTROL, "no-store".to_owned()),
        (HeaderName::from_static(hash_header), digest.to_owned()),
    ];
    if inline {
        headers.push((
            header::CONTENT_SECURITY_POLICY,
            INLINE_FILE_POLICY.to_owned(),
        ));
        headers.push((header::X_FRAME_OPTIONS, "SAMEORIGIN".to_owned()));
    }
    for (k, v) in headers {
        if let Ok(v) = HeaderValue::from_str(&v) {
            h.insert(k, v);
        }
    }
    resp
}

/// An evidence file of a working paper.
pub fn file_response(e: &Evidence, bytes: Vec<u8>, save: bool) -> Response {
    stored_file(e.kind, &e.content_type, &e.filename, &e.sha256, bytes, save)
}

/// An evidence file of a rectification task.
pub fn task_file_response(e: &TaskEvidence, bytes: Vec<u8>, save: bool) -> Response {
    stored_file(e.kind, &e.content_type, &e.filename, &e.sha256, bytes, save)
}

/// A file of fieldwork (a letter's scan, a writer's attachment, a forum's minutes): always
/// saved, never shown in the page.
pub fn fieldwork_file_response(f: &xunshi_core::store::FieldworkFile, bytes: Vec<u8>) -> Response {
    stored_file(
        f.kind,
        f.kind.content_type(),
        &f.filename,
        &f.sha256,
        bytes,
        true,
    )
}

/// A file's size as people read it.
pub fn size_label(n: i64) -> String {
    if n >= 1024 * 1024 {
        format!("{:.1} MB", n as f64 / 1024.0 / 1024.0)
    } else if n >= 1024 {
        format!("{:.1} KB", n as f64 / 1024.0)
    } else {
        format!("{n} 字节")
    }
}

/// A document made for download (.docx, .xlsx), with its name in Chinese and a plain fallback.
pub fn attachment(bytes: Vec<u8>, content_type: &'static str, name: &str, ext: &str) -> Response {
    (document_headers(content_type, name, ext), bytes).into_response()
}

/// A document made for download into `file` (an archive package: as large as every file of an
/// inspection), sent from the file in chunks rather than read into memory.
pub fn file_attachment(
    mut file: std::fs::File,
    content_type: &'static str,
    name: &str,
    ext: &str,
) -> Result<Response, xunshi_core::CoreError> {
    use std::io::{Seek, SeekFrom};
    use tokio::io::AsyncReadExt;
    let len = file
        .seek(SeekFrom::End(0))
        .and_then(|len| file.rewind().map(|()| len))
        .map_err(xunshi_core::CoreError::internal)?;
    // The file's bytes a chunk at a time; one that ends before its length is an error, never
    // a short answer that looks whole.
    let chunks = futures_util::stream::try_unfold(
        (tokio::fs::File::from_std(file), len),
        |(mut file, left)| async move {
            if left == 0 {
                return Ok(None);
            }
            let mut chunk = vec![0u8; usize::try_from(left.min(FILE_CHUNK)).unwrap_or(1)];
            let n = file.read(&mut chunk).await?;
            if n == 0 {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::UnexpectedEof,
                    "the file ended before its length",
                ));
            }
            chunk.truncate(n);
            Ok(Some((
                axum::body::Bytes::from(chunk),
                (file, left - n as u64),
            )))
        },
    );
    Ok((
        document_headers(content_type, name, ext),
        [(header::CONTENT_LENGTH, len.to_string())],
        Body::from_stream(chunks),
    )
        .into_response())
}

/// How much of a file one chunk of a download holds.
const FILE_CHUNK: u64 = 64 * 1024;

fn document_headers(
    content_type: &'static str,
    name: &str,
    ext: &str,
) -> [(HeaderName, String); 3] {
    let disposition = format!(
        "attachment; filename=\"document.{ext}\"; filename*=UTF-8''{}.{ext}",
        rfc5987(name)
    );
    [
        (header::CONTENT_TYPE, content_type.to_owned()),
        (header::CONTENT_DISPOSITION, disposition),
        (header::CACHE_CONTROL, "no-store".to_owned()),
    ]
}

#[cfg(test)]
mod tests {
    use super::{attachment_header, stored_file};
    use axum::http::header;
    use xunshi_core::paper::FileKind;

    #[test]
    fn only_pdfs_and_images_open_in_the_browser() {
        for kind in [
            FileKind::Txt,
            FileKind::Zip,
            FileKind::Docx,
            FileKind::Doc,
            FileKind::Xlsx,
            FileKind::Xls,
        ] {
            let r = stored_file(kind, kind.content_type(), "a.x", "00", vec![], false);
            let cd = r.headers()[header::CONTENT_DISPOSITION].to_str().unwrap();
            assert!(cd.starts_with("attachment; "), "{kind:?}: {cd}");
            assert!(!r.headers().contains_key(header::X_FRAME_OPTIONS));
        }
        for kind in [FileKind::Pdf, FileKind::Jpg, FileKind::Png] {
            let r = stored_file(kind, kind.content_type(), "a.x", "00", vec![], false);
            let cd = r.headers()[header::CONTENT_DISPOSITION].to_str().unwrap();
            assert!(cd.starts_with("inline; "), "{kind:?}: {cd}");
            let r = stored_file(kind, kind.content_type(), "a.x", "00", vec![], true);
            let cd = r.headers()[header::CONTENT_DISPOSITION].to_str().unwrap();
            assert!(cd.starts_with("attachment; "), "{kind:?}: {cd}");
        }
    }

    #[test]
    fn download_names_survive_in_both_forms() {
        let h = attachment_header("谈话 记录.pdf");
        assert!(h.starts_with("attachment; filename=\"_____.pdf\""), "{h}");
        assert!(
            h.ends_with("filename*=UTF-8''%E8%B0%88%E8%AF%9D%20%E8%AE%B0%E5%BD%95.pdf"),
            "{h}"
        );
        let h = attachment_header("a\"b.txt");
        assert!(!h.contains("a\"b"), "quotes cannot break the header: {h}");
    }
}
