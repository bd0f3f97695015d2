//! Content-addressed blobs on the file system.

use std::fs::{self, File};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use crm_core::archive::{BlobCheck, BlobHash};
use crm_core::ports::{BlobStore, StoredBlob};
use crm_core::{EntityKind, Error, Result};
use sha2::{Digest, Sha256};

/// Bytes read and hashed at a time.
const PIECE: usize = 64 * 1024;
/// Where blobs are written before they are renamed into place.
const INCOMING: &str = "incoming";

fn failed(path: &Path, e: impl std::fmt::Display) -> Error {
    Error::Storage(format!("archive {}: {e}", path.display()))
}

/// The blob store in one directory.
#[derive(Debug, Clone)]
pub struct FsBlobStore {
    dir: PathBuf,
}

impl FsBlobStore {
    /// The store in `dir`, created when missing.
    ///
    /// # Errors
    /// [`Error::Storage`] naming the directory when it cannot be created.
    pub fn open(dir: &Path) -> Result<FsBlobStore> {
        fs::create_dir_all(dir.join(INCOMING)).map_err(|e| failed(dir, e))?;
        Ok(FsBlobStore {
            dir: dir.to_owned(),
        })
    }

    /// The file of `hash`.
    pub fn path_of(&self, hash: &BlobHash) -> PathBuf {
        let (head, tail) = hash.as_str().split_at(2);
        self.dir.join(head).join(tail)
    }

    /// Copies `content` into `file`, hashing it on the way.
    fn copy(content: &mut dyn Read, file: &mut File) -> io::Result<(BlobHash, u64)> {
        let mut hasher = Sha256::new();
        let mut buffer = vec![0u8; PIECE];
        let mut size = 0u64;
        loop {
            let n = match content.read(&mut buffer) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            let piece = buffer.get(..n).unwrap_or_default();
            hasher.update(piece);
            file.write_all(piece)?;
            size += n as u64;
        }
        file.sync_all()?;
        Ok((BlobHash::from_digest(&hasher.finalize().into()), size))
    }

    /// Hashes what `file` holds.
    fn hash_file(file: &mut File) -> io::Result<(BlobHash, u64)> {
        let mut hasher = Sha256::new();
        let mut buffer = vec![0u8; PIECE];
        let mut size = 0u64;
        loop {
            let n = match file.read(&mut buffer) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            hasher.update(buffer.get(..n).unwrap_or_default());
            size += n as u64;
        }
        Ok((BlobHash::from_digest(&hasher.finalize().into()), size))
    }
}

/// A temporary file that is removed unless it was renamed into place.
struct Incoming(PathBuf);

impl Drop for Incoming {
    fn drop(&mut self) {
        let _ = fs::remove_file(&self.0);
    }
}

impl BlobStore for FsBlobStore {
    fn put(&self, content: &mut dyn Read) -> Result<StoredBlob> {
        let incoming = self.dir.join(INCOMING);
        let nanos = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let temp = Incoming(incoming.join(format!(
            "{}-{nanos}-{:?}",
            std::process::id(),
            std::thread::current().id()
        )));
        let mut file = File::create(&temp.0).map_err(|e| failed(&temp.0, e))?;
        let (hash, size) = Self::copy(content, &mut file).map_err(|e| failed(&temp.0, e))?;
        drop(file);
        let target = self.path_of(&hash);
        if !target.exists() {
            let parent = target.parent().unwrap_or(&self.dir);
            fs::create_dir_all(parent).map_err(|e| failed(parent, e))?;
            fs::rename(&temp.0, &target).map_err(|e| failed(&target, e))?;
            // The rename itself reaches the disk with its directory.
            if let Ok(d) = File::open(parent) {
                let _ = d.sync_all();
            }
        }
        Ok(StoredBlob { hash, size })
    }

    fn open(&self, hash: &BlobHash) -> Result<Box<dyn Read + Send>> {
        let path = self.path_of(hash);
        match File::open(&path) {
            Ok(f) => Ok(Box::new(io::BufReader::new(f))),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Err(Error::not_found(
                EntityKind::Document,
                format!("blob {hash}"),
            )),
            Err(e) => Err(failed(&path, e)),
        }
    }

    fn check(&self, hash: &BlobHash) -> Result<(BlobCheck, u64)> {
        let path = self.path_of(hash);
        let mut file = match File::open(&path) {
            Ok(f) => f,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok((BlobCheck::Missing, 0)),
            Err(e) => return Err(failed(&path, e)),
        };
        let (found, size) = Self::hash_file(&mut file).map_err(|e| failed(&path, e))?;
        Ok((
            if found == *hash {
                BlobCheck::Intact
            } else {
                BlobCheck::Altered
            },
            size,
        ))
    }

    fn remove(&self, hash: &BlobHash) -> Result<()> {
        let path = self.path_of(hash);
        match fs::remove_file(&path) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(failed(&path, e)),
        }
    }

    fn older_than(&self, age: Duration) -> Result<Vec<BlobHash>> {
        let now = SystemTime::now();
        let mut out = Vec::new();
        let heads = fs::read_dir(&self.dir).map_err(|e| failed(&self.dir, e))?;
        for head in heads.flatten() {
            let name = head.file_name();
            let Some(head_name) = name.to_str().filter(|n| n.len() == 2) else {
                continue;
            };
            let Ok(files) = fs::read_dir(head.path()) else {
                continue;
            };
            for file in files.flatten() {
                let Some(tail) = file.file_name().to_str().map(str::to_owned) else {
                    continue;
                };
                let Ok(hash) = BlobHash::new(&format!("{head_name}{tail}")) else {
                    continue;
                };
                let old_enough = file
                    .metadata()
                    .and_then(|m| m.modified())
                    .ok()
                    .and_then(|m| now.duration_since(m).ok())
                    .is_some_and(|d| d >= age);
                if old_enough {
                    out.push(hash);
                }
            }
        }
        out.sort();
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blobs_are_stored_once_checked_and_removed() {
        let dir = tempfile::tempdir().unwrap();
        let store = FsBlobStore::open(dir.path()).unwrap();
        let big = vec![7u8; 3 * PIECE + 5];
        let blob = store.put(&mut &big[..]).unwrap();
        assert_eq!(blob.size, big.len() as u64);
        assert_eq!(store.put(&mut &big[..]).unwrap(), blob);
        let mut back = Vec::new();
        store
            .open(&blob.hash)
            .unwrap()
            .read_to_end(&mut back)
            .unwrap();
        assert_eq!(back, big);
        assert_eq!(store.check(&blob.hash).unwrap().0, BlobCheck::Intact);
        assert_eq!(
            store.older_than(Duration::ZERO).unwrap(),
            std::slice::from_ref(&blob.hash)
        );
        fs::write(store.path_of(&blob.hash), b"tampered").unwrap();
        assert_eq!(store.check(&blob.hash).unwrap().0, BlobCheck::Altered);
        store.remove(&blob.hash).unwrap();
        assert_eq!(store.check(&blob.hash).unwrap().0, BlobCheck::Missing);
        assert!(matches!(
            store.open(&blob.hash),
            Err(Error::NotFound { .. })
        ));
        assert_eq!(
            fs::read_dir(dir.path().join(INCOMING)).unwrap().count(),
            0,
            "no temporary file is left"
        );
    }

    #[test]
    fn a_failing_reader_leaves_nothing() {
        struct Broken(usize);
        impl Read for Broken {
            fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                if self.0 == 0 {
                    return Err(io::Error::other("cable pulled"));
                }
                self.0 -= 1;
                buf[0] = 1;
                Ok(1)
            }
        }
        let dir = tempfile::tempdir().unwrap();
        let store = FsBlobStore::open(dir.path()).unwrap();
        let err = store.put(&mut Broken(10)).unwrap_err();
        assert!(err.to_string().contains("cable pulled"), "{err}");
        assert!(store.older_than(Duration::ZERO).unwrap().is_empty());
        assert_eq!(fs::read_dir(dir.path().join(INCOMING)).unwrap().count(), 0);
    }
}
