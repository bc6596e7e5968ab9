"""ELF constants, in one place (System V gABI, the GNU extensions in glibc's
elf.h, and the Go linker's own note type). Readers, the hardening summary and
checks all take their numbers from here."""

from __future__ import annotations

ELF_MAGIC = b"\x7fELF"

ELFCLASS32 = 1
ELFCLASS64 = 2
ELFDATA2LSB = 1
ELFDATA2MSB = 2

# Extended numbering: the real counts live in section header 0.
PN_XNUM = 0xFFFF
SHN_UNDEF = 0
SHN_XINDEX = 0xFFFF

ET_REL = 1
E_TYPE_NAMES = {0: "NONE", 1: "REL", 2: "EXEC", 3: "DYN", 4: "CORE"}

PT_LOAD = 1
PT_DYNAMIC = 2
PT_INTERP = 3
PT_NOTE = 4
PT_GNU_STACK = 0x6474E551
PT_GNU_RELRO = 0x6474E552

PF_X, PF_W, PF_R = 1, 2, 4

SHT_NULL = 0
SHT_SYMTAB = 2
SHT_NOTE = 7
SHT_NOBITS = 8
SHT_DYNSYM = 11

SHF_EXECINSTR = 0x4

STT_SECTION = 3
STT_FILE = 4

DT_NULL = 0
DT_NEEDED = 1
DT_HASH = 4
DT_STRTAB = 5
DT_SYMTAB = 6
DT_STRSZ = 10
DT_SYMENT = 11
DT_SONAME = 14
DT_RPATH = 15
DT_SYMBOLIC = 16
DT_DEBUG = 21
DT_TEXTREL = 22
DT_BIND_NOW = 24
DT_INIT_ARRAYSZ = 27
DT_RUNPATH = 29
DT_FLAGS = 30
DT_GNU_HASH = 0x6FFFFEF5
DT_FLAGS_1 = 0x6FFFFFFB

DF_SYMBOLIC = 0x2
DF_TEXTREL = 0x4
DF_BIND_NOW = 0x8
DF_STATIC_TLS = 0x10
DF_1_NOW = 0x1
DF_1_NODELETE = 0x8
DF_1_PIE = 0x08000000

NT_GNU_ABI_TAG = 1  # .note.ABI-tag: the operating system (first word) and its minimum kernel
NT_GNU_BUILD_ID = 3
NT_GO_BUILD_ID = 4  # the Go linker's "Go" note
NT_CGOGUARD_BRIDGE = 1  # the "cgoguard" note of a `cgoguard bridge` library: its contract
NT_GNU_PROPERTY_TYPE_0 = 5
GNU_PROPERTY_AARCH64_FEATURE_1_AND = 0xC0000000
GNU_PROPERTY_X86_FEATURE_1_AND = 0xC0000002

# The first word of an NT_GNU_ABI_TAG note (glibc's elf/elf.h ELF_NOTE_OS_*).
GNU_ABI_TAG_OS = {0: "linux", 1: "hurd", 2: "solaris", 3: "freebsd"}
# Owners of notes that name the system an image was built for; the BSDs'
# linkers and Go's write them (NetBSD and OpenBSD leave EI_OSABI at 0).
ABI_NOTE_OWNERS = {
    b"NetBSD": "netbsd",
    b"OpenBSD": "openbsd",
    b"FreeBSD": "freebsd",
    b"DragonFly": "dragonfly",
}
# EI_OSABI values that name one system (0, System V, names none).
OSABI_SYSTEMS = {2: "netbsd", 3: "linux", 6: "solaris", 9: "freebsd", 12: "openbsd"}

EM_386 = 3
EM_X86_64 = 62
EM_AARCH64 = 183
