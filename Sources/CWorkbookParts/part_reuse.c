// A close writes some 500 workbooks whose parts are largely the same bytes from one workbook
// to the next (the theme, the content types, the relationships, the app properties): each
// was deflated again, and zlib was a sixth of a close's processor time, most of it the cost
// of starting and ending a deflate stream for a part of a few kilobytes.
//
// While a thread asks for it (recon_set_part_reuse), a part libxlsxwriter opens in the zip is
// held back from minizip until it is closed. A part whose bytes, write pieces and deflate
// settings were met before, and whose deflated form was learned from a finished workbook
// (recon_part_reuse_offer), is then written as those deflated bytes (minizip's raw mode, with
// its size and CRC-32); any other goes through minizip exactly as before. The deflated bytes
// are minizip's own for the same input, so a workbook is byte for byte what it would be.
#define _GNU_SOURCE
#include "part_reuse.h"
#include "workbook_parts.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/// What a part's deflated bytes depend on: its bytes, the pieces they were written in, and
/// the deflate settings.
typedef struct {
    int method, level, window_bits, mem_level, strategy;
    /// The internal attributes it was opened with, which minizip keeps unless zlib found text.
    uLong internal_fa;
    unsigned char *bytes;
    size_t size;
    size_t *pieces;
    size_t piece_count;
    uint64_t fingerprint;
} part_input;

/// A part held back between its opening and its closing: how it was opened, and its input.
typedef struct {
    zipFile file;
    char *filename;
    zip_fileinfo info;
    char *comment;
    int zip64;
    uLong version_made_by, flag_base;
    part_input input;
    size_t capacity, piece_capacity;
    int failed;
    /// Grown past what is ever learned: handed to minizip, which takes the rest as it comes.
    int passed_on;
} held_part;

/// A part met twice, kept with its deflated bytes once a finished workbook gave them.
typedef struct {
    part_input input;
    char *filename;
    unsigned char *deflated;
    size_t deflated_size;
    uLong crc;
    /// The internal attributes the zip's directory gives it: 1 (text) when zlib took its
    /// bytes for text, which minizip records only for a part it deflated itself.
    uLong written_internal_fa;
} known_part;

// Kept for the process, for every thread: parts seen once (their fingerprints), parts learned.
static pthread_mutex_t known_lock = PTHREAD_MUTEX_INITIALIZER;
#define SEEN_SLOTS 4096
static uint64_t seen[SEEN_SLOTS];
#define KNOWN_MAX 256
static known_part known[KNOWN_MAX];
static size_t known_count;
/// A part larger than this is a sheet's rows, met once: never learned (so what is kept stays
/// under 8 MB: the parts met again are a theme of 7 KB, styles of 4 KB, relationships).
#define REUSE_MAX_BYTES (16u << 10)
/// This thread's limit: REUSE_MAX_BYTES unless a test asked for a smaller one.
static _Thread_local size_t held_limit = REUSE_MAX_BYTES;
/// The learned part the next one learned takes the place of, once all places are taken.
static size_t known_next;
static _Thread_local unsigned long reused_here;

// This thread's: whether it asked, the part held, and the parts to learn from its workbook.
static _Thread_local int reuse_asked;
static _Thread_local held_part held;
#define TO_LEARN_MAX 64
static _Thread_local known_part to_learn[TO_LEARN_MAX];
static _Thread_local size_t to_learn_count;
/// Where a learned part's deflated bytes are copied to be written.
static _Thread_local unsigned char *reuse_scratch;
static _Thread_local size_t reuse_scratch_capacity;

typedef int (*write_in_file)(zipFile, const void *, unsigned);
typedef int (*close_file)(zipFile);
typedef int (*close_file_raw)(zipFile, ZPOS64_T, uLong);

void *recon_found_once(_Atomic(void *) *cache, void *handle, const char *name) {
    void *f = atomic_load(cache);
    if (!f) {
        f = dlsym(handle, name);
        atomic_store(cache, f);
    }
    return f;
}

/// minizip's own write and close (after this program's), and its raw close (not redefined).
static write_in_file library_write(void) {
    static _Atomic(void *) cache;
    return (write_in_file)recon_found_once(&cache, RTLD_NEXT, "zipWriteInFileInZip");
}

static close_file library_close(void) {
    static _Atomic(void *) cache;
    return (close_file)recon_found_once(&cache, RTLD_NEXT, "zipCloseFileInZip");
}

static close_file_raw library_close_raw(void) {
    static _Atomic(void *) cache;
    return (close_file_raw)recon_found_once(&cache, RTLD_DEFAULT, "zipCloseFileInZipRaw64");
}

static void free_input(part_input *input) {
    free(input->bytes);
    free(input->pieces);
    memset(input, 0, sizeof *input);
}

static void free_known(known_part *part) {
    free_input(&part->input);
    free(part->filename);
    free(part->deflated);
    memset(part, 0, sizeof *part);
}

static void drop_held(void) {
    free(held.filename);
    free(held.comment);
    free_input(&held.input);
    memset(&held, 0, sizeof held);
}

static void drop_to_learn(void) {
    for (size_t i = 0; i < to_learn_count; i++) free_known(&to_learn[i]);
    to_learn_count = 0;
}

/// FNV-1a over the settings, the pieces' lengths and the bytes.
static uint64_t fingerprint(const part_input *input) {
    uint64_t h = 0xcbf29ce484222325ull;
#define MIX(value)                   \
    do {                             \
        h ^= (uint64_t)(value);      \
        h *= 0x100000001b3ull;       \
    } while (0)
    MIX(input->method);
    MIX(input->level);
    MIX(input->window_bits);
    MIX(input->mem_level);
    MIX(input->strategy);
    MIX(input->internal_fa);
    for (size_t i = 0; i < input->piece_count; i++) MIX(input->pieces[i]);
    for (size_t i = 0; i < input->size; i++) MIX(input->bytes[i]);
#undef MIX
    return h ? h : 1;
}

static int same_input(const part_input *a, const part_input *b) {
    return a->fingerprint == b->fingerprint && a->method == b->method && a->level == b->level &&
           a->window_bits == b->window_bits && a->mem_level == b->mem_level && a->strategy == b->strategy &&
           a->internal_fa == b->internal_fa &&
           a->size == b->size && a->piece_count == b->piece_count &&
           memcmp(a->pieces, b->pieces, a->piece_count * sizeof *a->pieces) == 0 && memcmp(a->bytes, b->bytes, a->size) == 0;
}

static char *copy_string(const char *s) { return s ? strdup(s) : NULL; }

int recon_part_open(zipFile file, const char *filename, const zip_fileinfo *zipfi, const void *extrafield_local,
                    uInt size_extrafield_local, const void *extrafield_global, uInt size_extrafield_global,
                    const char *comment, int method, int level, int raw, int windowBits, int memLevel, int strategy,
                    const char *password, uLong crcForCrypting, uLong versionMadeBy, uLong flagBase, int zip64,
                    open_new_file_in_zip library) {
    if (held.file) drop_held();  // a part opened before and never closed: the workbook failed
    // Only what libxlsxwriter asks for is held: a plain deflated part with its file's details,
    // no extras, no password.
    if (!reuse_asked || !zipfi || method != Z_DEFLATED || raw || extrafield_local || size_extrafield_local || extrafield_global ||
        size_extrafield_global || password || crcForCrypting || !library_write() || !library_close() ||
        !library_close_raw()) {
        return library(file, filename, zipfi, extrafield_local, size_extrafield_local, extrafield_global,
                       size_extrafield_global, comment, method, level, raw, windowBits, memLevel, strategy, password,
                       crcForCrypting, versionMadeBy, flagBase, zip64);
    }
    held.file = file;
    held.filename = copy_string(filename);
    held.info = *zipfi;
    held.input.internal_fa = zipfi->internal_fa;
    held.comment = copy_string(comment);
    held.zip64 = zip64;
    held.version_made_by = versionMadeBy;
    held.flag_base = flagBase;
    held.input.method = method;
    held.input.level = level;
    held.input.window_bits = windowBits;
    held.input.mem_level = memLevel;
    held.input.strategy = strategy;
    if ((filename && !held.filename) || (comment && !held.comment)) held.failed = 1;
    return ZIP_OK;
}

static int write_held(void);

int zipWriteInFileInZip(zipFile file, const void *buf, unsigned len) {
    if (!held.file || held.file != file) {
        write_in_file library = library_write();
        return library ? library(file, buf, len) : ZIP_INTERNALERROR;
    }
    if (held.failed) return ZIP_INTERNALERROR;
    if (held.passed_on) return library_write()(file, buf, len);
    if (held.input.size + len > held_limit) {
        // A sheet's rows: never met again, and not to be held twice in memory.
        int status = write_held();
        held.passed_on = 1;
        return status == ZIP_OK ? library_write()(file, buf, len) : status;
    }
    part_input *input = &held.input;
    if (input->size + len > held.capacity) {
        size_t capacity = held.capacity ? held.capacity : 16384;
        while (capacity < input->size + len) capacity *= 2;
        unsigned char *grown = realloc(input->bytes, capacity);
        if (!grown) {
            held.failed = 1;
            return ZIP_INTERNALERROR;
        }
        input->bytes = grown;
        held.capacity = capacity;
    }
    if (input->piece_count == held.piece_capacity) {
        size_t capacity = held.piece_capacity ? held.piece_capacity * 2 : 8;
        size_t *grown = realloc(input->pieces, capacity * sizeof *grown);
        if (!grown) {
            held.failed = 1;
            return ZIP_INTERNALERROR;
        }
        input->pieces = grown;
        held.piece_capacity = capacity;
    }
    if (len) memcpy(input->bytes + input->size, buf, len);
    input->size += len;
    input->pieces[input->piece_count++] = len;
    return ZIP_OK;
}

/// Opens the held part in the zip, deflated (`raw` 0), or as deflated bytes (`raw` 1) with
/// the internal attributes deflating them gave.
static int open_held(int raw, uLong internal_fa) {
    zip_fileinfo info = held.info;
    if (raw) info.internal_fa = internal_fa;
    return recon_minizip_open(held.file, held.filename, &info, NULL, 0, NULL, 0, held.comment,
                              held.input.method, held.input.level, raw, held.input.window_bits, held.input.mem_level,
                              held.input.strategy, NULL, 0, held.version_made_by, held.flag_base, held.zip64);
}

/// Opens the held part through minizip and writes what it holds, piece by piece as it came.
static int write_held(void) {
    int status = open_held(0, 0);
    size_t at = 0;
    for (size_t i = 0; status == ZIP_OK && i < held.input.piece_count; i++) {
        status = library_write()(held.file, held.input.bytes + at, (unsigned)held.input.pieces[i]);
        at += held.input.pieces[i];
    }
    return status;
}

/// The held part through minizip as it came; kept to learn if met before.
static int write_through(void) {
    int status = write_held();
    if (status != ZIP_OK) return status;
    status = library_close()(held.file);
    if (status != ZIP_OK) return status;
    // Met before (its fingerprint seen): learned from the finished workbook; else noted as seen.
    pthread_mutex_lock(&known_lock);
    uint64_t *slot = &seen[held.input.fingerprint % SEEN_SLOTS];
    int again = *slot == held.input.fingerprint;
    *slot = held.input.fingerprint;
    pthread_mutex_unlock(&known_lock);
    if (again && to_learn_count < TO_LEARN_MAX && held.filename) {
        known_part *next = &to_learn[to_learn_count++];
        next->input = held.input;  // taken over: the held part lets go of it below
        memset(&held.input, 0, sizeof held.input);
        next->filename = held.filename;
        held.filename = NULL;
    }
    return status;
}

int zipCloseFileInZip(zipFile file) {
    if (!held.file || held.file != file) {
        close_file library = library_close();
        return library ? library(file) : ZIP_INTERNALERROR;
    }
    int status;
    if (held.failed) {
        status = ZIP_INTERNALERROR;
    } else if (held.passed_on) {
        status = library_close()(file);
    } else {
        held.input.fingerprint = fingerprint(&held.input);
        // A learned part may give its place to another: its bytes are copied out while locked.
        int found = 0;
        uLong crc = 0, internal_fa = 0;
        size_t deflated_size = 0;
        pthread_mutex_lock(&known_lock);
        for (size_t i = 0; i < known_count && !found; i++) {
            if (!same_input(&known[i].input, &held.input)) continue;
            if (known[i].deflated_size > reuse_scratch_capacity) {
                unsigned char *grown = realloc(reuse_scratch, known[i].deflated_size);
                if (!grown) break;
                reuse_scratch = grown;
                reuse_scratch_capacity = known[i].deflated_size;
            }
            memcpy(reuse_scratch, known[i].deflated, known[i].deflated_size);
            deflated_size = known[i].deflated_size;
            crc = known[i].crc;
            internal_fa = known[i].written_internal_fa;
            found = 1;
        }
        pthread_mutex_unlock(&known_lock);
        if (found) {
            status = open_held(1, internal_fa);
            if (status == ZIP_OK) status = library_write()(held.file, reuse_scratch, (unsigned)deflated_size);
            if (status == ZIP_OK) status = library_close_raw()(held.file, (ZPOS64_T)held.input.size, crc);
            if (status == ZIP_OK) reused_here++;
        } else {
            status = write_through();
        }
    }
    drop_held();
    return status;
}

void recon_set_part_reuse_limit(size_t bytes) { held_limit = bytes && bytes < REUSE_MAX_BYTES ? bytes : REUSE_MAX_BYTES; }

void recon_set_part_reuse(int on) {
    reuse_asked = on;
    if (held.file) drop_held();
    if (on) drop_to_learn();
}

size_t recon_part_reuse_pending(void) { return to_learn_count; }

void recon_part_reuse_offer(const char *name, const unsigned char *deflated, size_t deflated_size, size_t size,
                            unsigned long crc, unsigned long internal_fa) {
    for (size_t i = 0; i < to_learn_count; i++) {
        known_part *part = &to_learn[i];
        if (!part->filename || part->deflated || strcmp(part->filename, name) != 0 || size != part->input.size) continue;
        if (!(part->deflated = malloc(deflated_size ? deflated_size : 1))) return;
        memcpy(part->deflated, deflated, deflated_size);
        part->deflated_size = deflated_size;
        part->crc = crc;
        part->written_internal_fa = internal_fa;
    }
}

void recon_part_reuse_learned(void) {
    pthread_mutex_lock(&known_lock);
    for (size_t i = 0; i < to_learn_count; i++) {
        known_part *part = &to_learn[i];
        int already = 0;
        for (size_t k = 0; k < known_count && !already; k++) already = same_input(&known[k].input, &part->input);
        if (part->deflated && !already) {
            // All places taken: the oldest learned gives its place.
            size_t place = known_count < KNOWN_MAX ? known_count++ : known_next++ % KNOWN_MAX;
            if (place < known_count && known[place].deflated) free_known(&known[place]);
            known[place] = *part;
            memset(part, 0, sizeof *part);
        }
    }
    pthread_mutex_unlock(&known_lock);
    drop_to_learn();
}

unsigned long recon_parts_reused_on_this_thread(void) { return reused_here; }

int recon_part_reuse_active(void) {
    return dlsym(RTLD_DEFAULT, "zipWriteInFileInZip") == (void *)zipWriteInFileInZip &&
           dlsym(RTLD_DEFAULT, "zipCloseFileInZip") == (void *)zipCloseFileInZip && library_write() && library_close() &&
           library_close_raw();
}
