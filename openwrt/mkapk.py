#!/usr/bin/env python3
"""Writes one apk-tools v3 package (the ADB format) from a directory tree, as
`apk mkpkg` does with the options OpenWRT's include/package-pack.mk gives it, for
machines without apk-tools 3 (no Debian release has it). The format: apk-tools'
doc/apk-v3.5.scd, doc/apk-package.5.scd and src/apk_adb.h (v3.0.x).

  mkapk.py --info KEY:VALUE... [--script TYPE:FILE...] --files DIR --output FILE

Every file and directory is recorded as owned by root:root with the mode it has
in DIR; regular files and symlinks only. Each file's mtime is SOURCE_DATE_EPOCH
when set (as apk mkpkg does), so the same tree gives the same bytes. The file is
"ADBd" and a raw deflate stream (level 9, apk mkpkg's default) of:
  "ADB." "pckg"                      file header: magic, schema of the root object
  ADB block                          the package object: info, paths, scripts
  DATA block per non-empty file      u32 path index, u32 file index, the bytes
A block is a u32 (type << 30 | 4 + length), the payload, zeros to 8-byte alignment.
Given the same tree, fields and SOURCE_DATE_EPOCH, apk mkpkg 3.0.2 and 3.0.6 wrote
the same bytes as this (openwrt/README.md).
"""

import argparse
import hashlib
import os
import re
import stat
import struct
import sys
import zlib

# Value tags: the high 4 bits of a u32 say the type, the low 28 bits hold the
# value itself or the offset of its data in the ADB block.
NULL = 0
TYPE_INT = 0x10000000
TYPE_INT32 = 0x20000000
TYPE_INT64 = 0x30000000
TYPE_BLOB8 = 0x80000000
TYPE_BLOB16 = 0x90000000
TYPE_BLOB32 = 0xA0000000
TYPE_OBJECT = 0xE0000000
VALUE_MASK = 0x0FFFFFFF

BLOCK_ADB = 0
BLOCK_DATA = 2
SCHEMA_PACKAGE = b"pckg"

# Field numbers of the package schemas (apk_adb.h).
PKG_INFO, PKG_PATHS, PKG_SCRIPTS = 1, 2, 3
INFO_FIELDS = {
    "name": 1,
    "version": 2,
    "description": 4,
    "arch": 5,
    "license": 6,
    "origin": 7,
    "maintainer": 8,
    "url": 9,
}
# Lists of dependencies, `NAME`, `NAME=VERSION` or `NAME>=VERSION` separated by
# blanks, as apk mkpkg's --info depends:/provides:/replaces: take them.
DEPENDENCY_FIELDS = {"depends": 15, "provides": 16, "replaces": 17}
DEP_NAME, DEP_VERSION, DEP_MATCH = 1, 2, 3
# apk_version.h: the comparison a dependency asks for (EQUAL is left out).
MATCHES = {"=": 1, "<": 2, ">": 4, "<=": 3, ">=": 5}
DEPENDENCY = re.compile(r"([a-zA-Z0-9][a-zA-Z0-9._+-]*)(?:(>=|<=|=|<|>)(\S+))?\Z")
INFO_HASHES, INFO_INSTALLED_SIZE = 3, 12
SCRIPT_FIELDS = {
    "trigger": 1,
    "pre-install": 2,
    "post-install": 3,
    "pre-deinstall": 4,
    "post-deinstall": 5,
    "pre-upgrade": 6,
    "post-upgrade": 7,
}
ACL_MODE, ACL_USER, ACL_GROUP = 1, 2, 3
FILE_NAME, FILE_ACL, FILE_SIZE, FILE_MTIME, FILE_HASH, FILE_TARGET = 1, 2, 3, 4, 5, 6
DIR_NAME, DIR_ACL, DIR_FILES = 1, 2, 3

# apk-package(5): the name's characters; the version grammar
# number{.number}...{letter}{_suffix{number}}...{~hash}{-r#}.
NAME = re.compile(r"[a-zA-Z0-9][a-zA-Z0-9._+-]*\Z")
VERSION = re.compile(
    r"[0-9]+(\.[0-9]+)*[a-z]?(_(alpha|beta|pre|rc|cvs|svn|git|hg|p)[0-9]*)*"
    r"(~[0-9a-f]+)?(-r[0-9]+)?\Z"
)
# apk mkpkg stores a 20-byte unique id in info's hashes: the first 20 bytes of
# the SHA-256 of the ADB block, taken while the id is still zeros.
UNIQUE_ID_LEN = 20


class Fail(Exception):
    pass


class AdbWriter:
    """The ADB block: an 8-byte header (compat version, version, reserved,
    root value), then values, each aligned to its size. Equal data is stored
    once, as apk does."""

    def __init__(self):
        self.buf = bytearray(8)
        self.stored = {}

    def _data(self, data, align, share=True):
        offset = self.stored.get(data) if share else None
        if offset is None or offset % align:
            self.buf += bytes(-len(self.buf) % align)
            offset = len(self.buf)
            self.buf += data
            if share:
                # A copy stored anew for its alignment becomes the one reused.
                self.stored[data] = offset
        if offset > VALUE_MASK:
            raise Fail("package metadata too large")
        return offset

    def blob(self, data, share=True):
        if not data:
            return NULL
        if len(data) <= 0xFF:
            return TYPE_BLOB8 | self._data(struct.pack("<B", len(data)) + data, 1, share)
        if len(data) <= 0xFFFF:
            return TYPE_BLOB16 | self._data(struct.pack("<H", len(data)) + data, 2, share)
        return TYPE_BLOB32 | self._data(struct.pack("<I", len(data)) + data, 4, share)

    def int(self, n):
        if n <= VALUE_MASK:
            return TYPE_INT | n
        if n <= 0xFFFFFFFF:
            return TYPE_INT32 | self._data(struct.pack("<I", n), 4)
        return TYPE_INT64 | self._data(struct.pack("<Q", n), 4)

    def _slots(self, kind, values):
        """Slot 0 is the slot count; NULLs at the end are left out."""
        while values and values[-1] == NULL:
            values.pop()
        if not values:
            return NULL
        words = [len(values) + 1] + values
        return kind | self._data(struct.pack("<%dI" % len(words), *words), 4)

    def object(self, fields):
        """fields: {field number: value}."""
        values = [fields.get(i, NULL) for i in range(1, max(fields, default=0) + 1)]
        return self._slots(TYPE_OBJECT, values)

    def array(self, items):
        # Tagged as an object, not an array (0xd): apk mkpkg tags the arrays
        # of paths and files so, and apk reads either.
        return self._slots(TYPE_OBJECT, [v for v in items if v != NULL])

    def finish(self, root):
        struct.pack_into("<BBHI", self.buf, 0, 0, 0, 0, root)
        return bytes(self.buf)


def block(kind, payload):
    raw = 4 + len(payload)
    if raw > 0x3FFFFFFF:
        raise Fail("a file of %d bytes is too large for this writer" % len(payload))
    return struct.pack("<I", kind << 30 | raw) + payload + bytes(-raw % 8)


def scan(top):
    """The directories under top (top itself as ""), sorted as apk sorts them
    (bytewise), each with its sorted entries that are not directories."""
    dirs = []

    def walk(rel):
        path = os.path.join(top, rel) if rel else top
        with os.scandir(path) as it:
            entries = sorted(it, key=lambda e: os.fsencode(e.name))
        dirs.append((rel, [e for e in entries if not e.is_dir(follow_symlinks=False)]))
        for e in entries:
            if e.is_dir(follow_symlinks=False):
                walk(os.path.join(rel, e.name) if rel else e.name)

    walk("")
    dirs.sort(key=lambda d: os.fsencode(d[0]))
    return dirs


def acl(adb, mode):
    root = adb.blob(b"root")
    return adb.object({ACL_MODE: adb.int(mode), ACL_USER: root, ACL_GROUP: root})


def write_package(info, dependencies, scripts, top, mtime):
    # Values are written in the order apk mkpkg writes them (info strings, then
    # per directory its files, then the directory; the rest last), so that the
    # same tree and fields give the very bytes apk mkpkg gives.
    adb = AdbWriter()
    fields = {}
    for key, value in sorted(info.items(), key=lambda kv: INFO_FIELDS[kv[0]]):
        fields[INFO_FIELDS[key]] = adb.blob(value.encode())
    for key, value in sorted(dependencies.items(), key=lambda kv: DEPENDENCY_FIELDS[kv[0]]):
        items = []
        # apk writes each in the order given and sorts the array by name.
        for text in value.split():
            name, op, version = DEPENDENCY.match(text).groups()
            dep = {DEP_NAME: adb.blob(name.encode())}
            if op:
                dep[DEP_VERSION] = adb.blob(version.encode())
                if op != "=":
                    dep[DEP_MATCH] = adb.int(MATCHES[op])
            items.append((name, adb.object(dep)))
        fields[DEPENDENCY_FIELDS[key]] = adb.array([v for _, v in sorted(items)])
    paths, contents, installed_size = [], [], 0
    for dir_index, (rel, entries) in enumerate(scan(top), start=1):
        files = []
        for file_index, entry in enumerate(entries, start=1):
            st = entry.stat(follow_symlinks=False)
            file = {FILE_NAME: adb.blob(os.fsencode(entry.name))}
            if stat.S_ISREG(st.st_mode):
                with open(entry.path, "rb") as f:
                    data = f.read()
                file[FILE_HASH] = adb.blob(hashlib.sha256(data).digest())
                installed_size += len(data)
                if data:
                    contents.append((dir_index, file_index, data))
            elif stat.S_ISLNK(st.st_mode):
                # The link's type (u16 S_IFLNK) and its target.
                target = struct.pack("<H", stat.S_IFLNK) + os.fsencode(os.readlink(entry.path))
                file[FILE_TARGET] = adb.blob(target)
            else:
                raise Fail("%s: neither a file, a symlink nor a directory" % entry.path)
            file[FILE_MTIME] = adb.int(mtime if mtime is not None else int(st.st_mtime))
            file[FILE_SIZE] = adb.int(st.st_size)
            file[FILE_ACL] = acl(adb, stat.S_IMODE(st.st_mode))
            files.append(adb.object(file))
        name = adb.blob(os.fsencode(rel))
        mode = stat.S_IMODE(os.lstat(os.path.join(top, rel)).st_mode)
        directory = {DIR_NAME: name, DIR_ACL: acl(adb, mode)}
        directory[DIR_FILES] = adb.array(files)
        paths.append(adb.object(directory))

    fields[INFO_INSTALLED_SIZE] = adb.int(max(installed_size, 1))
    unique_id = adb.blob(bytes(UNIQUE_ID_LEN), share=False)
    fields[INFO_HASHES] = unique_id
    package = {PKG_INFO: adb.object(fields), PKG_PATHS: adb.array(paths)}
    if scripts:
        texts = {}
        for key, text in sorted(scripts.items(), key=lambda kv: SCRIPT_FIELDS[kv[0]]):
            texts[SCRIPT_FIELDS[key]] = adb.blob(text)
        package[PKG_SCRIPTS] = adb.object(texts)
    adb_block = bytearray(adb.finish(adb.object(package)))
    id_at = (unique_id & VALUE_MASK) + 1
    adb_block[id_at : id_at + UNIQUE_ID_LEN] = hashlib.sha256(adb_block).digest()[:UNIQUE_ID_LEN]

    parts = [b"ADB.", SCHEMA_PACKAGE, block(BLOCK_ADB, bytes(adb_block))]
    for dir_index, file_index, data in contents:
        parts.append(block(BLOCK_DATA, struct.pack("<II", dir_index, file_index) + data))
    deflate = zlib.compressobj(9, zlib.DEFLATED, -15, 8)
    return b"ADBd" + deflate.compress(b"".join(parts)) + deflate.flush()


def key_value(option, text, known):
    key, sep, value = text.partition(":")
    if not sep:
        raise Fail("%s %s: expected KEY:VALUE" % (option, text))
    if key not in known:
        raise Fail("%s %s: unknown key %s (known: %s)" % (option, text, key, ", ".join(known)))
    return key, value


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--info", action="append", default=[], metavar="KEY:VALUE")
    parser.add_argument("--script", action="append", default=[], metavar="TYPE:FILE")
    parser.add_argument("--files", required=True, metavar="DIR")
    parser.add_argument("--output", required=True, metavar="FILE")
    args = parser.parse_args(argv)
    try:
        info, dependencies = {}, {}
        for text in args.info:
            key, value = key_value("--info", text, {**INFO_FIELDS, **DEPENDENCY_FIELDS})
            if key in DEPENDENCY_FIELDS:
                for item in value.split():
                    match = DEPENDENCY.match(item)
                    if not match or (match.group(3) and not VERSION.match(match.group(3))):
                        raise Fail("--info %s: '%s' is not NAME, NAME=VERSION or NAME>=VERSION" % (key, item))
                if value.split():
                    dependencies[key] = value
            elif value:
                info[key] = value
        for key in ("name", "version", "arch"):
            if key not in info:
                raise Fail("--info %s: missing" % key)
        if not NAME.match(info["name"]):
            raise Fail("--info name:%s: not a valid apk package name" % info["name"])
        if not VERSION.match(info["version"]):
            raise Fail(
                "--info version:%s: not an apk version (like 0.1.0-r1)" % info["version"]
            )
        scripts = {}
        for text in args.script:
            key, path = key_value("--script", text, SCRIPT_FIELDS)
            try:
                with open(path, "rb") as f:
                    scripts[key] = f.read()
            except OSError as e:
                raise Fail("--script %s: %s" % (text, e.strerror))
        if not os.path.isdir(args.files):
            raise Fail("--files %s: not a directory" % args.files)
        epoch = os.environ.get("SOURCE_DATE_EPOCH")
        if epoch is not None and not epoch.isdigit():
            raise Fail("SOURCE_DATE_EPOCH=%s: not a number of seconds" % epoch)
        package = write_package(info, dependencies, scripts, args.files, int(epoch) if epoch else None)
        with open(args.output, "wb") as f:
            f.write(package)
    except (Fail, OSError) as e:
        print("mkapk.py: %s" % e, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
