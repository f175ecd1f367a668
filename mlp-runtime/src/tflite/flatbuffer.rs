//! The flatbuffer wire format, read with every position checked.
//!
//! What a flatbuffer is, as `google/flatbuffers` documents it (`docs/source/internals.md`):
//! little-endian scalars; a *table* starts with an `i32` back-offset to its *vtable*
//! (`vtable = table − soffset`); a vtable is `u16` byte size, `u16` table size, then one `u16` per
//! field, the field's position from the table's start, 0 for an absent field (its default); a
//! reference field (table, vector, string) holds a `u32` forward offset from the field's own
//! position; a vector is a `u32` element count followed by the elements (references for a vector
//! of tables); a union is two fields, a `u8` type and a reference.
//!
//! Here every read goes through [`slice`], which computes `start + length` with checked
//! arithmetic and takes the bytes with `get`: a position outside the file, from a corrupt or
//! truncated file, is an [`Error::Truncated`], never a panic. Nothing is assumed aligned (the
//! scalars are assembled with `from_le_bytes`), and nothing recurses, so a cyclic file cannot
//! loop.

use super::error::Error;

/// `bytes[at..at + n]`, or [`Error::Truncated`] naming `what`.
pub(crate) fn slice<'a>(
    bytes: &'a [u8],
    at: usize,
    n: usize,
    what: &'static str,
) -> Result<&'a [u8], Error> {
    at.checked_add(n)
        .and_then(|end| bytes.get(at..end))
        .ok_or(Error::Truncated {
            what,
            at,
            len: bytes.len(),
        })
}

/// `N` bytes at `at`.
fn array<const N: usize>(bytes: &[u8], at: usize, what: &'static str) -> Result<[u8; N], Error> {
    let s = slice(bytes, at, N, what)?;
    <[u8; N]>::try_from(s).map_err(|_| Error::Truncated {
        what,
        at,
        len: bytes.len(),
    })
}

pub(crate) fn u16_at(bytes: &[u8], at: usize, what: &'static str) -> Result<u16, Error> {
    array(bytes, at, what).map(u16::from_le_bytes)
}

pub(crate) fn u32_at(bytes: &[u8], at: usize, what: &'static str) -> Result<u32, Error> {
    array(bytes, at, what).map(u32::from_le_bytes)
}

/// The position a `u32` forward offset stored at `at` points to.
pub(crate) fn follow(bytes: &[u8], at: usize, what: &'static str) -> Result<usize, Error> {
    let offset = u32_at(bytes, at, what)?;
    usize::try_from(offset)
        .ok()
        .and_then(|o| at.checked_add(o))
        .ok_or(Error::Truncated {
            what,
            at,
            len: bytes.len(),
        })
}

/// A table: its position and its vtable, both checked to lie inside the file.
#[derive(Clone, Copy)]
pub(crate) struct Table<'a> {
    bytes: &'a [u8],
    pos: usize,
    vtable: usize,
    vtable_len: usize,
}

impl<'a> Table<'a> {
    /// The table at `pos`.
    pub(crate) fn at(bytes: &'a [u8], pos: usize, what: &'static str) -> Result<Self, Error> {
        let soffset = i32::from_le_bytes(array(bytes, pos, what)?);
        // vtable = pos − soffset, in i64 (no overflow for a usize up to 2⁶³ and an i32).
        let vtable = i64::try_from(pos)
            .ok()
            .and_then(|p| p.checked_sub(i64::from(soffset)))
            .and_then(|v| usize::try_from(v).ok())
            .ok_or(Error::Malformed { what, at: pos })?;
        let vtable_len = usize::from(u16_at(bytes, vtable, what)?);
        if vtable_len < 4 || vtable_len % 2 != 0 {
            return Err(Error::Malformed { what, at: vtable });
        }
        slice(bytes, vtable, vtable_len, what)?;
        Ok(Self {
            bytes,
            pos,
            vtable,
            vtable_len,
        })
    }

    /// The position of field `slot` (checked to hold `size` bytes), `None` when absent.
    fn field(&self, slot: usize, size: usize, what: &'static str) -> Result<Option<usize>, Error> {
        let entry = slot.checked_mul(2).and_then(|e| e.checked_add(4));
        let Some(entry) =
            entry.filter(|&e| e.checked_add(2).is_some_and(|end| end <= self.vtable_len))
        else {
            return Ok(None);
        };
        let entry = self.vtable.checked_add(entry).ok_or(Error::Malformed {
            what,
            at: self.vtable,
        })?;
        let offset = usize::from(u16_at(self.bytes, entry, what)?);
        if offset == 0 {
            return Ok(None);
        }
        let at = self
            .pos
            .checked_add(offset)
            .ok_or(Error::Malformed { what, at: self.pos })?;
        slice(self.bytes, at, size, what)?;
        Ok(Some(at))
    }

    fn scalar<const N: usize>(
        &self,
        slot: usize,
        what: &'static str,
    ) -> Result<Option<[u8; N]>, Error> {
        match self.field(slot, N, what)? {
            Some(at) => array(self.bytes, at, what).map(Some),
            None => Ok(None),
        }
    }

    pub(crate) fn u8(&self, slot: usize, default: u8, what: &'static str) -> Result<u8, Error> {
        Ok(self
            .scalar::<1>(slot, what)?
            .map_or(default, u8::from_le_bytes))
    }

    pub(crate) fn i8(&self, slot: usize, default: i8, what: &'static str) -> Result<i8, Error> {
        Ok(self
            .scalar::<1>(slot, what)?
            .map_or(default, i8::from_le_bytes))
    }

    pub(crate) fn u32(&self, slot: usize, default: u32, what: &'static str) -> Result<u32, Error> {
        Ok(self
            .scalar::<4>(slot, what)?
            .map_or(default, u32::from_le_bytes))
    }

    pub(crate) fn i32(&self, slot: usize, default: i32, what: &'static str) -> Result<i32, Error> {
        Ok(self
            .scalar::<4>(slot, what)?
            .map_or(default, i32::from_le_bytes))
    }

    pub(crate) fn u64(&self, slot: usize, default: u64, what: &'static str) -> Result<u64, Error> {
        Ok(self
            .scalar::<8>(slot, what)?
            .map_or(default, u64::from_le_bytes))
    }

    pub(crate) fn f32(&self, slot: usize, default: f32, what: &'static str) -> Result<f32, Error> {
        Ok(self
            .scalar::<4>(slot, what)?
            .map_or(default, f32::from_le_bytes))
    }

    /// Whether field `slot` is present (whatever it holds).
    pub(crate) fn has(&self, slot: usize, what: &'static str) -> Result<bool, Error> {
        Ok(self.field(slot, 0, what)?.is_some())
    }

    /// The table field `slot` refers to.
    pub(crate) fn table(&self, slot: usize, what: &'static str) -> Result<Option<Self>, Error> {
        match self.field(slot, 4, what)? {
            Some(at) => Table::at(self.bytes, follow(self.bytes, at, what)?, what).map(Some),
            None => Ok(None),
        }
    }

    /// The vector field `slot` refers to, of `elem_size`-byte elements.
    pub(crate) fn vector(
        &self,
        slot: usize,
        elem_size: usize,
        what: &'static str,
    ) -> Result<Option<Vector<'a>>, Error> {
        match self.field(slot, 4, what)? {
            Some(at) => {
                Vector::at(self.bytes, follow(self.bytes, at, what)?, elem_size, what).map(Some)
            }
            None => Ok(None),
        }
    }
}

/// A vector: its elements, checked to lie inside the file.
#[derive(Clone, Copy)]
pub(crate) struct Vector<'a> {
    bytes: &'a [u8],
    /// The position of the first element.
    start: usize,
    /// The elements' bytes, `len · elem_size` of them.
    data: &'a [u8],
    len: usize,
}

impl<'a> Vector<'a> {
    /// The vector whose length is at `pos`.
    pub(crate) fn at(
        bytes: &'a [u8],
        pos: usize,
        elem_size: usize,
        what: &'static str,
    ) -> Result<Self, Error> {
        let len = usize::try_from(u32_at(bytes, pos, what)?).map_err(|_| Error::Truncated {
            what,
            at: pos,
            len: bytes.len(),
        })?;
        let truncated = Error::Truncated {
            what,
            at: pos,
            len: bytes.len(),
        };
        let start = pos.checked_add(4).ok_or(truncated)?;
        let size = len.checked_mul(elem_size).ok_or(truncated)?;
        let data = slice(bytes, start, size, what)?;
        Ok(Self {
            bytes,
            start,
            data,
            len,
        })
    }

    /// An empty vector (an absent field).
    pub(crate) fn empty() -> Self {
        Self {
            bytes: &[],
            start: 0,
            data: &[],
            len: 0,
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// The position of its first element in the file.
    pub(crate) fn start(&self) -> usize {
        self.start
    }

    /// The elements' bytes.
    pub(crate) fn data(&self) -> &'a [u8] {
        self.data
    }

    /// Element `i` of a vector of tables, `None` past the end.
    pub(crate) fn table(&self, i: usize, what: &'static str) -> Result<Option<Table<'a>>, Error> {
        if i >= self.len {
            return Ok(None);
        }
        let at = i
            .checked_mul(4)
            .and_then(|o| self.start.checked_add(o))
            .ok_or(Error::Malformed {
                what,
                at: self.start,
            })?;
        Table::at(self.bytes, follow(self.bytes, at, what)?, what).map(Some)
    }
}

// Positions only: the file's bytes would flood a `{:?}` of a model.
impl core::fmt::Debug for Table<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "Table(at {}, vtable at {})", self.pos, self.vtable)
    }
}

impl core::fmt::Debug for Vector<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "Vector({} elements at {})", self.len, self.start)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_past_the_end_are_errors() {
        let bytes = [1u8, 0, 0, 0];
        assert_eq!(u32_at(&bytes, 0, "x"), Ok(1));
        assert!(matches!(
            u32_at(&bytes, 1, "x"),
            Err(Error::Truncated { at: 1, len: 4, .. })
        ));
        assert!(u32_at(&bytes, usize::MAX, "x").is_err());
        assert!(slice(&bytes, usize::MAX, 2, "x").is_err());
        // follow: 1 + 0 = 1, in range; a huge offset overflows nothing.
        assert_eq!(follow(&bytes, 0, "x"), Ok(1));
        let far = [0xff, 0xff, 0xff, 0xff];
        assert_eq!(follow(&far, 0, "x"), Ok(0xffff_ffff));
    }

    #[test]
    fn a_table_and_its_vtable() {
        // vtable at 0: size 8, table size 8, field 0 at +4, field 1 absent; table at 8.
        let mut b = [0u8; 16];
        b[0..2].copy_from_slice(&8u16.to_le_bytes());
        b[2..4].copy_from_slice(&8u16.to_le_bytes());
        b[4..6].copy_from_slice(&4u16.to_le_bytes());
        b[8..12].copy_from_slice(&8i32.to_le_bytes());
        b[12..16].copy_from_slice(&77u32.to_le_bytes());
        let t = Table::at(&b, 8, "t").unwrap();
        assert_eq!(t.u32(0, 5, "f"), Ok(77));
        assert_eq!(t.u32(1, 5, "f"), Ok(5));
        assert_eq!(t.u32(100, 5, "f"), Ok(5));
        // A vtable before the file's start, an odd vtable size.
        let mut bad = b;
        bad[8..12].copy_from_slice(&100i32.to_le_bytes());
        assert!(matches!(
            Table::at(&bad, 8, "t"),
            Err(Error::Malformed { .. })
        ));
        let mut odd = b;
        odd[0..2].copy_from_slice(&5u16.to_le_bytes());
        assert!(matches!(
            Table::at(&odd, 8, "t"),
            Err(Error::Malformed { .. })
        ));
    }

    #[test]
    fn a_vector_that_lies_about_its_length() {
        let mut b = [0u8; 12];
        b[0..4].copy_from_slice(&2u32.to_le_bytes());
        assert_eq!(Vector::at(&b, 0, 4, "v").map(|v| v.len()), Ok(2));
        b[0..4].copy_from_slice(&3u32.to_le_bytes());
        assert!(Vector::at(&b, 0, 4, "v").is_err());
        b[0..4].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(Vector::at(&b, 0, 8, "v").is_err());
    }
}
