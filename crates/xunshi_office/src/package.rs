//! An archive package (归档包) as a `.zip`: files in one folder per kind of record, a catalogue
//! workbook listing each file with its kind, title, date, size and SHA-256, and a manifest of
//! the hashes in the form `sha256sum -c` checks, so that the archives can verify what they
//! were handed with the tools they already have.

use std::io::{Seek, Write};

use sha2::{Digest, Sha256};
use zip::write::SimpleFileOptions;

use crate::{OfficeError, TableSheet, table_xlsx};

/// The manifest's name, at the top of the package: `<sha256>  <path>` per line.
pub const MANIFEST: &str = "manifest-sha256.txt";
/// The catalogue's name, at the top of the package.
pub const CATALOGUE: &str = "目录.xlsx";

/// One file written, as the catalogue lists it.
struct Entry {
    path: String,
    kind: String,
    title: String,
    date: String,
    size: usize,
    sha256: String,
}

/// Writes a package file by file; [`PackageWriter::finish`] adds the catalogue and the
/// manifest. Paths are `/`-separated and relative; the same path twice is refused.
pub struct PackageWriter<W: Write + Seek> {
    zip: zip::ZipWriter<W>,
    title: String,
    entries: Vec<Entry>,
    /// Every file's time in the zip: when the package was made.
    options: SimpleFileOptions,
}

fn failed(e: impl std::fmt::Display) -> OfficeError {
    OfficeError::Package(e.to_string())
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

impl<W: Write + Seek> PackageWriter<W> {
    /// A package whose catalogue carries `title` (the inspection it archives), its files
    /// dated `made` (local time, as a zip keeps it).
    pub fn new(out: W, title: &str, made: jiff::civil::DateTime) -> Self {
        let options = zip::DateTime::from_date_and_time(
            u16::try_from(made.year()).unwrap_or(1980),
            made.month() as u8,
            made.day() as u8,
            made.hour() as u8,
            made.minute() as u8,
            made.second() as u8,
        )
        .map_or_else(
            |_| SimpleFileOptions::default(),
            |t| SimpleFileOptions::default().last_modified_time(t),
        );
        PackageWriter {
            zip: zip::ZipWriter::new(out),
            title: title.to_owned(),
            entries: Vec::new(),
            options,
        }
    }

    /// Adds one file under `path`, listed in the catalogue as `kind`, `title` and `date`.
    pub fn add(
        &mut self,
        path: &str,
        kind: &str,
        title: &str,
        date: &str,
        bytes: &[u8],
    ) -> Result<(), OfficeError> {
        if path.is_empty()
            || path.starts_with('/')
            || path
                .split('/')
                .any(|p| p.is_empty() || p == "." || p == "..")
        {
            return Err(failed(format!("not a relative path: {path}")));
        }
        if path == MANIFEST || path == CATALOGUE || self.entries.iter().any(|e| e.path == path) {
            return Err(failed(format!("a second file at {path}")));
        }
        self.zip.start_file(path, self.options).map_err(failed)?;
        self.zip.write_all(bytes).map_err(failed)?;
        self.entries.push(Entry {
            path: path.to_owned(),
            kind: kind.to_owned(),
            title: title.to_owned(),
            date: date.to_owned(),
            size: bytes.len(),
            sha256: sha256_hex(bytes),
        });
        Ok(())
    }

    /// Whether a file is already at `path`.
    pub fn has(&self, path: &str) -> bool {
        self.entries.iter().any(|e| e.path == path)
    }

    /// Writes the catalogue and then the manifest (which covers the catalogue too), and ends
    /// the archive.
    pub fn finish(mut self) -> Result<W, OfficeError> {
        let rows = self
            .entries
            .iter()
            .enumerate()
            .map(|(n, e)| {
                vec![
                    (n + 1).to_string(),
                    e.kind.clone(),
                    e.title.clone(),
                    e.date.clone(),
                    e.path.clone(),
                    e.size.to_string(),
                    e.sha256.clone(),
                ]
            })
            .collect();
        let catalogue = table_xlsx(&TableSheet {
            sheet_name: "归档目录".into(),
            title: format!("{}归档目录", self.title),
            subtitle: format!("共{}件", self.entries.len()),
            columns: [
                ("序号", 6.0),
                ("类别", 14.0),
                ("题名", 40.0),
                ("日期", 12.0),
                ("文件", 40.0),
                ("字节数", 10.0),
                ("SHA-256", 66.0),
            ]
            .iter()
            .map(|(h, w)| ((*h).to_owned(), *w))
            .collect(),
            rows,
        })?;
        self.zip
            .start_file(CATALOGUE, self.options)
            .map_err(failed)?;
        self.zip.write_all(&catalogue).map_err(failed)?;
        let mut manifest = String::new();
        for e in &self.entries {
            manifest.push_str(&format!("{}  {}\n", e.sha256, e.path));
        }
        manifest.push_str(&format!("{}  {CATALOGUE}\n", sha256_hex(&catalogue)));
        self.zip
            .start_file(MANIFEST, self.options)
            .map_err(failed)?;
        self.zip.write_all(manifest.as_bytes()).map_err(failed)?;
        self.zip.finish().map_err(failed)
    }
}

#[cfg(test)]
mod tests {
    use std::io::{Cursor, Read};

    use super::*;

    #[test]
    fn every_file_is_in_the_manifest_with_its_hash_and_in_the_catalogue() {
        let made: jiff::civil::DateTime = "2026-12-05T09:30:00".parse().unwrap();
        let mut p = PackageWriter::new(Cursor::new(Vec::new()), "第三巡视组", made);
        p.add(
            "01-巡视任务/巡视任务.json",
            "巡视任务",
            "第三巡视组",
            "2019-08-20",
            b"{}",
        )
        .unwrap();
        p.add(
            "02-问题底稿/底稿-001.json",
            "问题底稿",
            "问题一",
            "2019-11-22",
            b"[1]",
        )
        .unwrap();
        assert!(
            p.add("02-问题底稿/底稿-001.json", "问题底稿", "", "", b"")
                .is_err()
        );
        assert!(p.add("../x", "", "", "", b"").is_err());
        assert!(p.add(MANIFEST, "", "", "", b"").is_err());
        let bytes = p.finish().unwrap().into_inner();

        let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
        let mut manifest = String::new();
        zip.by_name(MANIFEST)
            .unwrap()
            .read_to_string(&mut manifest)
            .unwrap();
        let lines: Vec<&str> = manifest.lines().collect();
        assert_eq!(lines.len(), 3, "{manifest}");
        for line in lines {
            let (hash, path) = line.split_once("  ").unwrap();
            let mut content = Vec::new();
            zip.by_name(path)
                .unwrap()
                .read_to_end(&mut content)
                .unwrap();
            assert_eq!(hash, sha256_hex(&content), "{path}");
        }
        assert_eq!(
            sha256_hex(b"{}"),
            "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"
        );
        let mut catalogue = Vec::new();
        zip.by_name(CATALOGUE)
            .unwrap()
            .read_to_end(&mut catalogue)
            .unwrap();
        assert!(catalogue.starts_with(b"PK"), "a workbook");
        // Dated as the package was made, not 1980.
        let dated = zip.by_name(MANIFEST).unwrap().last_modified().unwrap();
        assert_eq!(
            (dated.year(), dated.month(), dated.day(), dated.hour()),
            (2026, 12, 5, 9)
        );
    }
}
