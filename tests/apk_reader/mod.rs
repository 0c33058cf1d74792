//! A reader of apk-tools v3 packages (the ADB format) for the tests, written
//! from apk-tools' own descriptions of the format (doc/apk-v3.5.scd,
//! doc/apk-package.5.scd, and the field numbers of src/apk_adb.h), not from the
//! writer in openwrt/mkapk.py, so that the two cannot share a mistake. It is
//! strict: every offset is bounds-checked, every field must be one the package
//! schema knows and of its kind, the blocks come in the order ADB, SIG*, DATA*,
//! and each DATA block must be the next file's, of its size and SHA-256.

// tests/apk.rs and tests/cross.rs each look at a part of what it reads.
#![allow(dead_code)]

use std::collections::BTreeMap;

use ring::digest::{digest, SHA256};

/// One package, as far as the tests look at it.
#[derive(Debug)]
pub struct Package {
    /// The file starts with "ADBd": the rest is one raw deflate stream.
    pub deflated: bool,
    pub info: Info,
    pub dirs: Vec<Dir>,
    /// Script name (post-install, ...) → its text.
    pub scripts: BTreeMap<&'static str, Vec<u8>>,
    /// The ADB block's payload, and where info's hashes blob lies in it.
    pub adb: Vec<u8>,
    pub hashes_at: Option<std::ops::Range<usize>>,
}

#[derive(Debug, Default)]
pub struct Info {
    /// Field name → text, for the string fields that are set.
    pub text: BTreeMap<&'static str, String>,
    pub hashes: Option<Vec<u8>>,
    pub installed_size: Option<u64>,
    /// depends, provides, replaces → their items as apk prints them
    /// (`name`, `name=version`, `name>=version`).
    pub dependencies: BTreeMap<&'static str, Vec<String>>,
    /// Field numbers that are set but are neither text, hashes nor installed-size
    /// (depends, provides, build-time, ...).
    pub other_fields: Vec<usize>,
}

#[derive(Debug, PartialEq)]
pub struct Acl {
    pub mode: u64,
    pub user: String,
    pub group: String,
    pub has_xattrs: bool,
}

#[derive(Debug)]
pub struct Dir {
    /// "" for the package's root.
    pub name: String,
    pub acl: Acl,
    pub files: Vec<File>,
}

#[derive(Debug)]
pub struct File {
    pub name: String,
    pub acl: Acl,
    pub size: u64,
    pub mtime: u64,
    pub hash: Option<Vec<u8>>,
    /// Raw target field: u16 file type (little-endian), then the link target.
    pub target: Option<Vec<u8>>,
    /// The bytes of its DATA block (regular files of non-zero size).
    pub data: Option<Vec<u8>>,
}

impl File {
    /// The target of a symlink, None for anything else.
    pub fn link_target(&self) -> Option<String> {
        let raw = self.target.as_ref()?;
        let kind = u16::from_le_bytes([raw[0], raw[1]]);
        (kind == 0o120000).then(|| String::from_utf8_lossy(&raw[2..]).into_owned())
    }
}

impl Package {
    /// Every directory, file and link as (/path, entry), in package order.
    pub fn files(&self) -> Vec<(String, &File)> {
        let mut all = Vec::new();
        for dir in &self.dirs {
            for file in &dir.files {
                let path = if dir.name.is_empty() {
                    format!("/{}", file.name)
                } else {
                    format!("/{}/{}", dir.name, file.name)
                };
                all.push((path, file));
            }
        }
        all
    }

    pub fn file(&self, path: &str) -> &File {
        self.files()
            .into_iter()
            .find(|(p, _)| p == path)
            .map(|(_, f)| f)
            .unwrap_or_else(|| panic!("{path} is not in the package"))
    }

    /// The contents of a regular file (empty when it has no DATA block).
    pub fn contents(&self, path: &str) -> Vec<u8> {
        self.file(path).data.clone().unwrap_or_default()
    }
}

// Tag word: high 4 bits the type, low 28 the value or an offset.
const T_SPECIAL: u32 = 0x0;
const T_INT: u32 = 0x1;
const T_INT32: u32 = 0x2;
const T_INT64: u32 = 0x3;
const T_BLOB8: u32 = 0x8;
const T_BLOB16: u32 = 0x9;
const T_BLOB32: u32 = 0xa;
const T_ARRAY: u32 = 0xd;
const T_OBJECT: u32 = 0xe;

// Block types: the top 2 bits of a block's first word.
const B_ADB: u32 = 0;
const B_SIG: u32 = 1;
const B_DATA: u32 = 2;

const INFO_TEXT: [(usize, &str); 8] = [
    (1, "name"),
    (2, "version"),
    (4, "description"),
    (5, "arch"),
    (6, "license"),
    (7, "origin"),
    (8, "maintainer"),
    (9, "url"),
];
const INFO_HASHES: usize = 3;
const INFO_DEPENDENCIES: [(usize, &str); 3] = [(15, "depends"), (16, "provides"), (17, "replaces")];
const INFO_INSTALLED_SIZE: usize = 12;
const INFO_FIELDS: usize = 21; // name .. tags
const SCRIPT_NAMES: [&str; 7] = [
    "trigger",
    "pre-install",
    "post-install",
    "pre-deinstall",
    "post-deinstall",
    "pre-upgrade",
    "post-upgrade",
];

fn le32(b: &[u8], at: usize) -> Result<u32, String> {
    b.get(at..at + 4)
        .map(|s| u32::from_le_bytes(s.try_into().unwrap()))
        .ok_or_else(|| format!("u32 at {at} past the end ({} bytes)", b.len()))
}

/// A blob's bytes and where they lie in the ADB block.
type Located<'a> = (&'a [u8], std::ops::Range<usize>);

/// The ADB block's payload, read through tag words.
struct Adb<'a>(&'a [u8]);

impl<'a> Adb<'a> {
    fn bytes(&self, at: usize, len: usize) -> Result<&'a [u8], String> {
        self.0
            .get(at..at.checked_add(len).ok_or("overflow")?)
            .ok_or_else(|| format!("{len} bytes at {at} past the ADB block's end"))
    }

    fn int(&self, tag: u32) -> Result<u64, String> {
        let at = (tag & 0x0fff_ffff) as usize;
        match tag >> 28 {
            T_INT => Ok(u64::from(tag & 0x0fff_ffff)),
            T_INT32 => Ok(u64::from(le32(self.0, at)?)),
            T_INT64 => Ok(u64::from_le_bytes(self.bytes(at, 8)?.try_into().unwrap())),
            t => Err(format!("expected an integer, found type {t:#x}")),
        }
    }

    /// A blob and the range of its bytes; None for NULL.
    fn blob_at(&self, tag: u32) -> Result<Option<Located<'a>>, String> {
        let at = (tag & 0x0fff_ffff) as usize;
        let (len, skip) = match tag >> 28 {
            T_SPECIAL if tag == 0 => return Ok(None),
            T_BLOB8 => (usize::from(self.bytes(at, 1)?[0]), 1),
            T_BLOB16 => (
                usize::from(u16::from_le_bytes(self.bytes(at, 2)?.try_into().unwrap())),
                2,
            ),
            T_BLOB32 => (le32(self.0, at)? as usize, 4),
            t => return Err(format!("expected a blob, found type {t:#x}")),
        };
        let start = at + skip;
        Ok(Some((self.bytes(start, len)?, start..start + len)))
    }

    fn blob(&self, tag: u32) -> Result<Option<&'a [u8]>, String> {
        Ok(self.blob_at(tag)?.map(|(b, _)| b))
    }

    fn text(&self, tag: u32) -> Result<Option<String>, String> {
        self.blob(tag)?
            .map(|b| String::from_utf8(b.to_vec()).map_err(|_| "a string is not UTF-8".into()))
            .transpose()
    }

    /// The slots of an object or array (slot 0, the count, left out); NULL
    /// is an empty one. An object may set at most `max` fields.
    fn slots(&self, tag: u32, kinds: &[u32], max: usize) -> Result<Vec<u32>, String> {
        if tag == 0 {
            return Ok(Vec::new());
        }
        if !kinds.contains(&(tag >> 28)) {
            return Err(format!("expected type {kinds:x?}, found {:#x}", tag >> 28));
        }
        let at = (tag & 0x0fff_ffff) as usize;
        if at % 4 != 0 {
            return Err(format!("object at {at} not aligned to 4"));
        }
        let count = le32(self.0, at)? as usize;
        if count == 0 {
            return Err(format!("object at {at} with a slot count of 0"));
        }
        if count - 1 > max {
            return Err(format!(
                "object at {at}: {} fields, at most {max} known",
                count - 1
            ));
        }
        (1..count).map(|i| le32(self.0, at + 4 * i)).collect()
    }

    fn object(&self, tag: u32, max: usize) -> Result<Vec<u32>, String> {
        let mut slots = self.slots(tag, &[T_OBJECT], max)?;
        slots.resize(max, 0);
        Ok(slots)
    }

    /// An array may come with an object's tag: the two differ only in what
    /// their slots hold, apk reads either, and `apk mkpkg` tags the arrays of
    /// paths and files it nests in objects as objects.
    fn array(&self, tag: u32) -> Result<Vec<u32>, String> {
        self.slots(tag, &[T_ARRAY, T_OBJECT], usize::MAX)
    }

    fn acl(&self, tag: u32) -> Result<Acl, String> {
        let f = self.object(tag, 4)?;
        Ok(Acl {
            mode: self.int(f[0])?,
            user: self.text(f[1])?.unwrap_or_default(),
            group: self.text(f[2])?.unwrap_or_default(),
            has_xattrs: f[3] != 0,
        })
    }

    fn file(&self, tag: u32) -> Result<File, String> {
        let f = self.object(tag, 6)?;
        let optional_int = |t: u32| if t == 0 { Ok(0) } else { self.int(t) };
        Ok(File {
            name: self.text(f[0])?.ok_or("a file without a name")?,
            acl: self.acl(f[1])?,
            size: optional_int(f[2])?,
            mtime: optional_int(f[3])?,
            hash: self.blob(f[4])?.map(<[u8]>::to_vec),
            target: self.blob(f[5])?.map(<[u8]>::to_vec),
            data: None,
        })
    }
}

/// One block: its type and payload; `rest` starts at the next block.
fn next_block(rest: &[u8]) -> Result<(u32, &[u8], &[u8]), String> {
    let word = le32(rest, 0)?;
    let (kind, raw) = (word >> 30, (word & 0x3fff_ffff) as usize);
    if kind == 3 {
        return Err("an extended (DATAX) block".into());
    }
    if raw < 4 {
        return Err(format!("a block of raw size {raw}"));
    }
    let padded = raw.div_ceil(8) * 8;
    if padded > rest.len() {
        return Err(format!("a block of {padded} bytes, {} left", rest.len()));
    }
    if rest[raw..padded].iter().any(|&b| b != 0) {
        return Err("block padding is not zeros".into());
    }
    Ok((kind, &rest[4..raw], &rest[padded..]))
}

pub fn read(file: &[u8]) -> Result<Package, String> {
    let (deflated, plain) = match file.get(..4) {
        Some(b"ADBd") => (
            true,
            miniz_oxide::inflate::decompress_to_vec(&file[4..])
                .map_err(|e| format!("deflate stream: {e:?}"))?,
        ),
        Some(b"ADB.") => (false, file.to_vec()),
        _ => return Err("neither ADB. nor ADBd at the start".into()),
    };
    if plain.get(..4) != Some(b"ADB.") {
        return Err("no ADB. magic after decompression".into());
    }
    if plain.get(4..8) != Some(b"pckg") {
        return Err(format!("schema {:?}, not pckg", plain.get(4..8)));
    }

    let (kind, adb_block, mut rest) = next_block(&plain[8..])?;
    if kind != B_ADB {
        return Err(format!("first block of type {kind}, not ADB"));
    }
    if adb_block.len() < 8 || adb_block[0] != 0 {
        return Err("ADB header missing or of an unknown compat version".into());
    }
    let adb = Adb(adb_block);
    let root = adb.object(le32(adb_block, 4)?, 5)?;

    let mut info = Info::default();
    let mut hashes_at = None;
    for (i, &tag) in adb.object(root[0], INFO_FIELDS)?.iter().enumerate() {
        let field = i + 1;
        if tag == 0 {
            continue;
        }
        if let Some((_, name)) = INFO_TEXT.iter().find(|(n, _)| *n == field) {
            info.text.insert(name, adb.text(tag)?.unwrap_or_default());
        } else if field == INFO_HASHES {
            let (bytes, range) = adb.blob_at(tag)?.ok_or("empty hashes")?;
            info.hashes = Some(bytes.to_vec());
            hashes_at = Some(range);
        } else if field == INFO_INSTALLED_SIZE {
            info.installed_size = Some(adb.int(tag)?);
        } else if let Some((_, name)) = INFO_DEPENDENCIES.iter().find(|(n, _)| *n == field) {
            let mut items = Vec::new();
            for dep in adb.array(tag)? {
                let dep = adb.object(dep, 3)?;
                let name = adb.text(dep[0])?.unwrap_or_default();
                let version = adb.text(dep[1])?.unwrap_or_default();
                // apk_version.h: EQUAL 1, LESS 2, GREATER 4; a version alone is EQUAL.
                let matching = if dep[2] == 0 { 0 } else { adb.int(dep[2])? };
                let op = match (version.is_empty(), matching) {
                    (true, _) => "",
                    (false, 0 | 1) => "=",
                    (false, 2) => "<",
                    (false, 3) => "<=",
                    (false, 4) => ">",
                    (false, 5) => ">=",
                    (false, m) => return Err(format!("{name}: dependency match {m}")),
                };
                items.push(format!("{name}{op}{version}"));
            }
            info.dependencies.insert(name, items);
        } else {
            info.other_fields.push(field);
        }
    }

    let mut dirs = Vec::new();
    for tag in adb.array(root[1])? {
        let d = adb.object(tag, 3)?;
        let files = adb
            .array(d[2])?
            .into_iter()
            .map(|t| adb.file(t))
            .collect::<Result<Vec<_>, _>>()?;
        dirs.push(Dir {
            name: adb.text(d[0])?.unwrap_or_default(),
            acl: adb.acl(d[1])?,
            files,
        });
    }

    let mut scripts = BTreeMap::new();
    for (i, &tag) in adb.object(root[2], 7)?.iter().enumerate() {
        if let Some(text) = adb.blob(tag)? {
            scripts.insert(SCRIPT_NAMES[i], text.to_vec());
        }
    }
    if root[3] != 0 || root[4] != 0 {
        return Err("triggers or replaces-priority set".into());
    }

    // Signatures may follow; then one DATA block per regular file with bytes,
    // in the order of the paths and their files (indices count from 1).
    let mut expected = Vec::new();
    for (d, dir) in dirs.iter().enumerate() {
        for (f, file) in dir.files.iter().enumerate() {
            if file.target.is_none() && file.size > 0 {
                expected.push((d, f));
            }
        }
    }
    let mut expected = expected.into_iter();
    let mut seen_data = false;
    while !rest.is_empty() {
        let (kind, payload, next) = next_block(rest)?;
        rest = next;
        match kind {
            B_SIG if !seen_data => continue,
            B_DATA => seen_data = true,
            _ => return Err(format!("a block of type {kind} out of place")),
        }
        let (d, f) = expected.next().ok_or("a DATA block no file asks for")?;
        let (path_idx, file_idx) = (le32(payload, 0)? as usize, le32(payload, 4)? as usize);
        if (path_idx, file_idx) != (d + 1, f + 1) {
            return Err(format!(
                "DATA block for ({path_idx}, {file_idx}), expected ({}, {})",
                d + 1,
                f + 1
            ));
        }
        let file = &mut dirs[d].files[f];
        let data = &payload[8..];
        if data.len() as u64 != file.size {
            return Err(format!(
                "{}: {} bytes, size says {}",
                file.name,
                data.len(),
                file.size
            ));
        }
        if file.hash.as_deref() != Some(digest(&SHA256, data).as_ref()) {
            return Err(format!(
                "{}: SHA-256 differs from its hash field",
                file.name
            ));
        }
        file.data = Some(data.to_vec());
    }
    if let Some((d, f)) = expected.next() {
        return Err(format!("no DATA block for {}", dirs[d].files[f].name));
    }

    Ok(Package {
        deflated,
        info,
        dirs,
        scripts,
        adb: adb_block.to_vec(),
        hashes_at,
    })
}
