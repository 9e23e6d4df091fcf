//! An index file that may not be written, as redb's storage: a check needs only to read an
//! index, but redb opens its files for writing, and writes a little on opening and closing
//! them (its header; after a crash, the state it recovers). Those writes are kept here in
//! memory and read back over the file's bytes, so that the file itself is never changed and
//! an index on a read-only mount, or owned by someone else, can still be checked against.

use std::fs::File;
use std::io;
use std::os::unix::fs::FileExt;
use std::path::Path;
use std::sync::RwLock;

/// A file opened for reading, with whatever redb writes to it kept in memory.
#[derive(Debug)]
pub(crate) struct ReadOnlyFile {
    file: File,
    written: RwLock<Written>,
}

/// What redb has written and how long it has made the file, none of it on disk.
#[derive(Debug)]
struct Written {
    /// The storage's length, as redb last set it.
    len: u64,
    /// Bytes of the file past this offset read as zeros: redb cut the storage shorter than
    /// the file at some point, and anything it extends it with again starts zeroed.
    file_len: u64,
    /// Writes in the order made, each at its offset; a later one wins where they overlap.
    writes: Vec<(u64, Vec<u8>)>,
}

impl ReadOnlyFile {
    /// Opens `path` for reading, and takes a shared lock on it, so that an `index add` (for
    /// which redb locks the file for itself alone) cannot write it meanwhile; `Ok(None)` if
    /// one holds it now. (`index build` replaces the file rather than writing it.)
    pub(crate) fn open(path: &Path) -> io::Result<Option<ReadOnlyFile>> {
        let file = File::open(path)?;
        // flock, as redb's own lock: held until the file is closed.
        match rustix::fs::flock(&file, rustix::fs::FlockOperation::NonBlockingLockShared) {
            Ok(()) => {}
            Err(rustix::io::Errno::WOULDBLOCK) => return Ok(None),
            Err(error) => return Err(error.into()),
        }
        let len = file.metadata()?.len();
        Ok(Some(ReadOnlyFile {
            file,
            written: RwLock::new(Written {
                len,
                file_len: len,
                writes: Vec::new(),
            }),
        }))
    }

    fn written(&self) -> std::sync::RwLockReadGuard<'_, Written> {
        self.written
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl redb::StorageBackend for ReadOnlyFile {
    fn len(&self) -> io::Result<u64> {
        Ok(self.written().len)
    }

    fn read(&self, offset: u64, len: usize) -> io::Result<Vec<u8>> {
        let written = self.written();
        let end = offset
            .checked_add(len as u64)
            .filter(|&end| end <= written.len)
            .ok_or_else(|| {
                io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    format!("read of {len} bytes at {offset} past the end"),
                )
            })?;
        let mut bytes = vec![0; len];
        if offset < written.file_len {
            let from_file = (written.file_len.min(end) - offset) as usize;
            self.file.read_exact_at(&mut bytes[..from_file], offset)?;
        }
        for (at, data) in &written.writes {
            let start = (*at).max(offset);
            let stop = (*at + data.len() as u64).min(end);
            if start < stop {
                bytes[(start - offset) as usize..(stop - offset) as usize]
                    .copy_from_slice(&data[(start - at) as usize..(stop - at) as usize]);
            }
        }
        Ok(bytes)
    }

    fn set_len(&self, len: u64) -> io::Result<()> {
        let mut written = self.written.write().unwrap_or_else(|p| p.into_inner());
        written.len = len;
        written.file_len = written.file_len.min(len);
        for (at, data) in &mut written.writes {
            data.truncate(len.saturating_sub(*at) as usize);
        }
        written.writes.retain(|(_, data)| !data.is_empty());
        Ok(())
    }

    fn sync_data(&self, _eventual: bool) -> io::Result<()> {
        Ok(())
    }

    fn write(&self, offset: u64, data: &[u8]) -> io::Result<()> {
        let mut written = self.written.write().unwrap_or_else(|p| p.into_inner());
        // redb rewrites its header in place: keep the latest of a write to the same bytes.
        written
            .writes
            .retain(|(at, old)| !(*at == offset && old.len() == data.len()));
        written.writes.push((offset, data.to_vec()));
        written.len = written.len.max(offset + data.len() as u64);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use redb::StorageBackend;

    fn file_of(bytes: &[u8]) -> (tempfile::TempDir, std::path::PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        std::fs::write(&path, bytes).unwrap();
        (dir, path)
    }

    #[test]
    fn writes_are_read_back_over_the_file_and_never_reach_it() {
        let original: Vec<u8> = (0..100u8).collect();
        let (_dir, path) = file_of(&original);
        let file = ReadOnlyFile::open(&path).unwrap().unwrap();
        assert_eq!(file.len().unwrap(), 100);
        file.write(10, &[200; 5]).unwrap();
        file.write(12, &[201; 2]).unwrap();
        file.write(10, &[202; 5]).unwrap(); // the same bytes again: the latest wins
        let read = file.read(8, 10).unwrap();
        assert_eq!(read, [8, 9, 202, 202, 202, 202, 202, 15, 16, 17]);
        // Grown past the file: zeros, then what was written there.
        file.set_len(120).unwrap();
        file.write(110, &[7; 3]).unwrap();
        let tail = file.read(98, 22).unwrap();
        assert_eq!(&tail[..2], &[98, 99]);
        assert!(tail[2..12].iter().all(|&b| b == 0));
        assert_eq!(&tail[12..15], &[7, 7, 7]);
        // Cut shorter, then grown again: the cut part reads as zeros, not as the file.
        file.set_len(50).unwrap();
        assert!(file.read(45, 10).is_err());
        file.set_len(60).unwrap();
        let regrown = file.read(45, 15).unwrap();
        assert_eq!(&regrown[..5], &[45, 46, 47, 48, 49]);
        assert!(regrown[5..].iter().all(|&b| b == 0));
        file.sync_data(false).unwrap();
        drop(file);
        assert_eq!(std::fs::read(&path).unwrap(), original);
    }

    #[test]
    fn a_file_locked_for_writing_is_not_opened() {
        let (_dir, path) = file_of(b"index");
        let writer = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open(&path)
            .unwrap();
        let lock = |operation| rustix::fs::flock(&writer, operation).unwrap();
        lock(rustix::fs::FlockOperation::NonBlockingLockExclusive);
        assert!(ReadOnlyFile::open(&path).unwrap().is_none());
        lock(rustix::fs::FlockOperation::Unlock);
        assert!(ReadOnlyFile::open(&path).unwrap().is_some());
    }
}
