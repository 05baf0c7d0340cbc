// libxlsxwriter writes every XML part of a workbook to a FILE it gets from lxw_tmpfile(),
// then rewinds it and reads it into the zip (fflush, rewind, fread, feof; a rich string also
// ftell and fseek). Debian's build makes each a temporary file: some fifteen files created,
// written, read and unlinked per workbook, most of a close's kernel time. Here a part is a
// stream over memory that grows as it is written (fopencookie), when the workbook was given
// recon_parts_in_memory_folder() as its folder for parts.
#define _GNU_SOURCE
#include "workbook_parts.h"

#include <dlfcn.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

// libxlsxwriter's temporary-file maker (exported by the library; what its lxw_tmpfile calls).
FILE *tmpfileplus(const char *dir, const char *prefix, char **pathname, int keep);

static const char in_memory[] = "/dev/null/recon-parts-in-memory";

const char *recon_parts_in_memory_folder(void) { return in_memory; }

static atomic_ulong parts_made;

/// Writes into a part in memory that this thread could not make (no memory), and, for tests,
/// whether the next one is to fail as if there were none.
static _Thread_local unsigned long writes_failed;
static _Thread_local int fail_next_write;

/// A part's bytes, how many there are, and where the stream reads or writes next.
typedef struct {
    char *bytes;
    size_t size;
    size_t capacity;
    size_t position;
} part;

static ssize_t part_read(void *cookie, char *buffer, size_t count) {
    part *p = cookie;
    if (p->position >= p->size) return 0;
    size_t n = p->size - p->position;
    if (n > count) n = count;
    memcpy(buffer, p->bytes + p->position, n);
    p->position += n;
    return (ssize_t)n;
}

/// A write that cannot be made: counted for this thread, an error the stream keeps.
static ssize_t failed(void) {
    writes_failed++;
    return -1;
}

// No room (the machine is out of memory): libxlsxwriter does not look, so the part would come
// out cut; the count tells the workbook, which is then refused (Workbook.save).
static ssize_t part_write(void *cookie, const char *buffer, size_t count) {
    part *p = cookie;
    if (fail_next_write) {
        fail_next_write = 0;
        return failed();
    }
    if (count > SIZE_MAX - p->position) return failed();
    size_t end = p->position + count;
    if (end > p->capacity) {
        size_t capacity = p->capacity ? p->capacity : 16384;
        while (capacity < end) {
            if (capacity > SIZE_MAX / 2) return failed();
            capacity *= 2;
        }
        char *grown = realloc(p->bytes, capacity);
        if (!grown) return failed();
        p->bytes = grown;
        p->capacity = capacity;
    }
    // Written past the end after a seek: the gap reads as zeros, as in a file.
    if (p->position > p->size) memset(p->bytes + p->size, 0, p->position - p->size);
    memcpy(p->bytes + p->position, buffer, count);
    p->position = end;
    if (end > p->size) p->size = end;
    return (ssize_t)count;
}

static int part_seek(void *cookie, off64_t *offset, int whence) {
    part *p = cookie;
    off64_t base;
    switch (whence) {
    case SEEK_SET: base = 0; break;
    case SEEK_CUR: base = (off64_t)p->position; break;
    case SEEK_END: base = (off64_t)p->size; break;
    default: return -1;
    }
    off64_t target = base + *offset;
    if (target < 0) return -1;
    p->position = (size_t)target;
    *offset = target;
    return 0;
}

static int part_close(void *cookie) {
    part *p = cookie;
    free(p->bytes);
    free(p);
    return 0;
}

FILE *lxw_tmpfile(char *tmpdir) {
    if (tmpdir == NULL || strcmp(tmpdir, in_memory) != 0) {
        return tmpfileplus(tmpdir, NULL, NULL, 0);  // what libxlsxwriter 1.1.4's own does
    }
    part *p = calloc(1, sizeof *p);
    if (!p) return NULL;  // libxlsxwriter reports a temporary file it could not create
    cookie_io_functions_t io = {.read = part_read, .write = part_write, .seek = part_seek, .close = part_close};
    FILE *file = fopencookie(p, "w+", io);
    if (!file) {
        free(p);
        return NULL;
    }
    atomic_fetch_add(&parts_made, 1);
    return file;
}

int recon_parts_in_memory_active(void) {
    // The definition the dynamic linker binds libxlsxwriter's calls to is the first in the
    // global scope: this program's when it exports it, else the library's.
    return dlsym(RTLD_DEFAULT, "lxw_tmpfile") == (void *)lxw_tmpfile;
}

unsigned long recon_parts_made_in_memory(void) { return atomic_load(&parts_made); }

unsigned long recon_part_writes_failed(void) { return writes_failed; }

void recon_fail_next_part_write(void) { fail_next_write = 1; }
