//! The public's letter as a multipart form, read the same way for the intake page and the
//! API: its text parts into [`PublicSubmissionInput`], its `file` parts (those chosen; an
//! empty file input sends a part without a name or content) into staged files, each held to
//! the size of an evidence file as it is received, every text and file name to the character
//! rule. It fails as an upload does (`files::UploadError`).

use axum::extract::multipart::Multipart;
use xunshi_core::fieldwork::PublicSubmissionInput;
use xunshi_core::service::PUBLIC_FILES_MAX as FILES_MAX;
use xunshi_core::upload::Upload;

use super::files::{Staging, UPLOAD_LIMIT, UploadError, multipart_error};

/// The longest text part of the form.
const TEXT_PART_LIMIT: usize = 128 * 1024;

/// The largest body a submission may have: its files and its text.
pub const SUBMISSION_LIMIT: usize = FILES_MAX * UPLOAD_LIMIT + TEXT_PART_LIMIT;

/// Reads the submission and its files.
pub async fn read_submission(
    staging: &Staging,
    mp: &mut Multipart,
) -> Result<(PublicSubmissionInput, Vec<(String, Upload)>), UploadError> {
    let mut input = PublicSubmissionInput::default();
    let mut files = Vec::new();
    while let Some(mut field) = mp.next_field().await.map_err(multipart_error)? {
        let name = field.name().unwrap_or_default().to_owned();
        if let Some(m) = xunshi_core::text::problem(&name) {
            return Err(UploadError::Bad(format!("表单字段名{m}")));
        }
        if name == "file" {
            let filename = field.file_name().unwrap_or_default().to_owned();
            if let Some(m) = xunshi_core::text::problem(&filename) {
                return Err(UploadError::Bad(format!("附件的文件名{m}")));
            }
            let content = staging.receive(&mut field).await?;
            if filename.is_empty() && content.probe().size() == 0 {
                continue;
            }
            if files.len() == FILES_MAX {
                return Err(UploadError::Bad(format!("最多上传 {FILES_MAX} 个附件")));
            }
            files.push((filename, content));
            continue;
        }
        let bytes = field.bytes().await.map_err(multipart_error)?;
        if bytes.len() > TEXT_PART_LIMIT {
            return Err(UploadError::Bad("填写的内容过长".into()));
        }
        let text = std::str::from_utf8(&bytes)
            .map_err(|_| UploadError::Bad("填写的内容不是有效的文字".into()))?
            .to_owned();
        if let Some(m) = xunshi_core::text::problem(&text) {
            let label = xunshi_core::audit_text::field_label(&name);
            return Err(UploadError::Bad(format!("{label}{m}")));
        }
        match name.as_str() {
            "inspection_id" => input.inspection_id = text,
            "content" => input.content = text,
            "name" => input.name = text,
            "contact" => input.contact = text,
            "about_name" => input.about_name = text,
            "about_post" => input.about_post = text,
            _ => {}
        }
    }
    Ok((input, files))
}
