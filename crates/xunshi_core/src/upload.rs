//! A file as it arrives: either whole in memory (a test, the demo, a file the server made) or
//! received in pieces into a staging file while its content name and the signs of its kind are
//! taken ([`StagedFile`]), so that an upload is never held whole in memory. The services check
//! the kind from the [`Probe`] and keep the content in the blob store either way.

use std::path::PathBuf;

use crate::crypto::{HashAlg, Hasher};

/// How much of a file's start is kept to tell its kind.
pub const HEAD_BYTES: usize = 8192;

/// Names an Office Open XML archive holds, by which a .docx is told from an .xlsx.
const OFFICE_PARTS: [&[u8]; 2] = [b"word/", b"xl/"];

/// What tells a file's kind, taken as its bytes go by: its first [`HEAD_BYTES`], its size,
/// and whether each of [`OFFICE_PARTS`] appears anywhere in it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Probe {
    head: Vec<u8>,
    size: u64,
    seen: [bool; 2],
    /// The last bytes of what went by, so a name split between two pieces is still seen.
    carry: Vec<u8>,
}

impl Probe {
    /// The probe of content at hand.
    pub fn of(bytes: &[u8]) -> Probe {
        let mut p = Probe::default();
        p.update(bytes);
        p
    }

    /// Takes the next piece of the content.
    pub fn update(&mut self, piece: &[u8]) {
        if self.head.len() < HEAD_BYTES {
            let take = piece.len().min(HEAD_BYTES - self.head.len());
            self.head.extend_from_slice(&piece[..take]);
        }
        self.size += piece.len() as u64;
        let keep = OFFICE_PARTS.iter().map(|n| n.len()).max().unwrap_or(1) - 1;
        // A name is either inside the piece or across its start: only the carried bytes and
        // the piece's first few are joined, never the whole piece copied.
        let mut seam = std::mem::take(&mut self.carry);
        seam.extend_from_slice(&piece[..piece.len().min(keep)]);
        let has = |bytes: &[u8], needle: &[u8]| bytes.windows(needle.len()).any(|w| w == needle);
        for (seen, needle) in self.seen.iter_mut().zip(OFFICE_PARTS) {
            *seen = *seen || has(piece, needle) || has(&seam, needle);
        }
        // The last bytes of all that went by, for the next piece's seam (a piece shorter than
        // them is whole in the seam, behind the bytes carried before it).
        self.carry = if piece.len() >= keep {
            piece[piece.len() - keep..].to_vec()
        } else {
            seam[seam.len().saturating_sub(keep)..].to_vec()
        };
    }

    /// The first bytes of the content.
    pub fn head(&self) -> &[u8] {
        &self.head
    }

    pub fn size(&self) -> u64 {
        self.size
    }

    /// Whether the content holds a Word document's part names.
    pub fn has_word_part(&self) -> bool {
        self.seen[0]
    }

    /// Whether the content holds a workbook's part names.
    pub fn has_sheet_part(&self) -> bool {
        self.seen[1]
    }
}

/// A file received into the staging folder: where it is, its content name under the
/// installation's hash, and its probe. The file is removed when this is dropped, kept or not.
pub struct StagedFile {
    pub path: PathBuf,
    pub name: String,
    pub alg: HashAlg,
    pub probe: Probe,
    /// Removes the staging file when dropped.
    _guard: Box<dyn Send + Sync>,
}

impl std::fmt::Debug for StagedFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StagedFile")
            .field("path", &self.path)
            .field("name", &self.name)
            .field("size", &self.probe.size())
            .finish_non_exhaustive()
    }
}

impl StagedFile {
    /// The staged file at `path`, named `name` by `alg` as it was written, removed when
    /// `guard` is dropped.
    pub fn new(
        path: PathBuf,
        name: String,
        alg: HashAlg,
        probe: Probe,
        guard: Box<dyn Send + Sync>,
    ) -> StagedFile {
        StagedFile {
            path,
            name,
            alg,
            probe,
            _guard: guard,
        }
    }
}

/// The content of a file given to a service.
#[derive(Debug)]
pub enum Upload {
    Bytes(Vec<u8>),
    Staged(StagedFile),
}

impl Upload {
    pub fn probe(&self) -> Probe {
        match self {
            Upload::Bytes(b) => Probe::of(b),
            Upload::Staged(s) => s.probe.clone(),
        }
    }
}

impl From<Vec<u8>> for Upload {
    fn from(bytes: Vec<u8>) -> Upload {
        Upload::Bytes(bytes)
    }
}

/// What a staging writer keeps as the pieces go by: the hash for the content name and the
/// probe. The writing itself is the caller's (`xunshi_store::Stager`).
pub struct Taking {
    alg: HashAlg,
    hasher: Hasher,
    probe: Probe,
}

impl Taking {
    pub fn new(alg: HashAlg) -> Taking {
        Taking {
            alg,
            hasher: alg.hasher(),
            probe: Probe::default(),
        }
    }

    pub fn update(&mut self, piece: &[u8]) {
        self.hasher.update(piece);
        self.probe.update(piece);
    }

    pub fn size(&self) -> u64 {
        self.probe.size()
    }

    /// The content name and the probe of all that went by.
    pub fn finish(self) -> (String, HashAlg, Probe) {
        let name = self.alg.name_of_digest(&self.hasher.finish_hex());
        (name, self.alg, self.probe)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_probe_taken_in_pieces_sees_what_the_whole_shows() {
        let content = b"PK\x03\x04 some bytes then word/document.xml and the rest".repeat(3);
        let whole = Probe::of(&content);
        assert!(whole.has_word_part() && !whole.has_sheet_part());
        // Cut everywhere, the name split across pieces included.
        for cut in 1..content.len() {
            let mut p = Probe::default();
            p.update(&content[..cut]);
            p.update(&content[cut..]);
            assert_eq!(
                (p.head(), p.size(), p.has_word_part()),
                (whole.head(), whole.size(), true),
                "cut at {cut}"
            );
        }
        let mut bytewise = Probe::default();
        for b in b"xl/" {
            bytewise.update(&[*b]);
        }
        assert!(bytewise.has_sheet_part());
    }

    #[test]
    fn the_head_stops_at_its_length_and_the_name_is_the_hash_of_all() {
        let content = vec![b'a'; HEAD_BYTES * 3 + 5];
        let mut t = Taking::new(HashAlg::Sha256);
        for piece in content.chunks(1000) {
            t.update(piece);
        }
        let (name, _, probe) = t.finish();
        assert_eq!(probe.head().len(), HEAD_BYTES);
        assert_eq!(probe.size(), content.len() as u64);
        assert_eq!(name, HashAlg::Sha256.content_name(&content));
        let mut t = Taking::new(HashAlg::Sm3);
        t.update(&content);
        assert_eq!(t.finish().0, HashAlg::Sm3.content_name(&content));
    }
}
