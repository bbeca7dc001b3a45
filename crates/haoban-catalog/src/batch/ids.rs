//! Residents' ids: checked as each row is read, and a resident on one row only.

use std::hash::Hasher;

use super::population::{BadRow, Chunk, IdCheck};

pub(crate) fn read_id<'c>(cell: &'c [u8], check: Option<&IdCheck>) -> Result<&'c str, String> {
    let id = std::str::from_utf8(cell).map_err(|_| "the id is not valid UTF-8".to_owned())?;
    if id.is_empty() {
        return Err("the id is empty".to_owned());
    }
    if let Some(check) = check {
        check(id).map_err(|why| format!("id {id:?}: {why}"))?;
    }
    Ok(id)
}

/// A resident is one row: a later row with the same id is set aside, naming the first.
///
/// The workers hashed the ids; here the rows are sorted by hash (then file order), so rows
/// with equal ids are neighbours, and only neighbours' ids are compared.
pub(crate) fn set_aside_repeated_ids(chunks: &mut [Chunk]) -> Vec<BadRow> {
    let mut rows: Vec<(u64, usize, usize)> = chunks
        .iter()
        .enumerate()
        .flat_map(|(index, chunk)| {
            let hashes = chunk.id_hashes.iter().enumerate();
            hashes.map(move |(row, &hash)| (hash, index, row))
        })
        .collect();
    rows.sort_unstable();
    let mut repeated = Vec::new();
    for same_hash in rows.chunk_by_mut(|a, b| a.0 == b.0) {
        if same_hash.len() < 2 {
            continue;
        }
        let id = |&(_, index, row): &(u64, usize, usize)| chunks[index].id(row);
        same_hash.sort_by(|a, b| id(a).cmp(id(b)).then((a.1, a.2).cmp(&(b.1, b.2))));
        for same_id in same_hash.chunk_by(|a, b| id(a) == id(b)) {
            let (_, first_index, first_row) = same_id[0];
            let first_line = chunks[first_index].line(first_row);
            for &(_, index, row) in &same_id[1..] {
                repeated.push((index, row, chunks[index].line(row), first_line));
            }
        }
    }
    repeated
        .into_iter()
        .map(|(index, row, line, first_line)| {
            if let Some(word) = chunks[index].counted.get_mut(row / 64) {
                *word &= !(1 << (row % 64));
            }
            BadRow {
                line,
                problems: vec![format!(
                    "resident {:?} is already on line {first_line}",
                    chunks[index].id(row)
                )],
            }
        })
        .collect()
}

pub(crate) fn id_hash(id: &str) -> u64 {
    let mut hasher = IdHasher::default();
    hasher.write(id.as_bytes());
    hasher.finish()
}

/// FxHash, rustc's own, with MurmurHash3's finalizer: a million short ids hash several
/// times faster than with SipHash, whose defence against keys chosen to collide buys
/// nothing for a registry the center itself supplies (and colliding ids only cost a sort).
#[derive(Default)]
struct IdHasher(u64);

impl IdHasher {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

impl Hasher for IdHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut words = bytes.chunks_exact(8);
        for word in &mut words {
            let mut buffer = [0; 8];
            buffer.copy_from_slice(word);
            self.add(u64::from_le_bytes(buffer));
        }
        let mut last = [0; 8];
        last[..words.remainder().len()].copy_from_slice(words.remainder());
        self.add(u64::from_le_bytes(last));
    }

    fn write_u8(&mut self, byte: u8) {
        self.add(u64::from(byte));
    }

    /// MurmurHash3's finalizer: Fx alone leaves the low bits nearly the same for ids that
    /// differ only in their later characters.
    fn finish(&self) -> u64 {
        let mut hash = self.0;
        hash ^= hash >> 33;
        hash = hash.wrapping_mul(0xff51_afd7_ed55_8ccd);
        hash ^= hash >> 33;
        hash = hash.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
        hash ^ (hash >> 33)
    }
}
