// xlacache.c: a PJRT plugin that wraps another PJRT plugin and keeps its compiled
// executables on disk, so that a process compiling a program that an earlier process
// compiled loads it instead (PJRT_Executable_Serialize / PJRT_Executable_DeserializeAndLoad).
//
// Every GoNB notebook cell is a new process, and so is every `nmatools` command: without
// this, each of them compiles its XLA graphs again. The wrapper is a PJRT plugin in its
// own right (it exports GetPjrtApi), so go-xla loads it like any plugin and nothing in Go
// changes: it hands out the wrapped plugin's function table with PJRT_Client_Compile
// replaced by a version that looks in the cache first.
//
// The wrapped plugin is the file named by $NMATOOLS_XLA_REAL_PLUGIN, else
// "real/<this file's name>" in this file's directory, symbolic links resolved (where
// scripts/install-xla.sh puts it).
//
// The cache directory is $NMATOOLS_XLA_CACHE; unset or "off", there is no cache. nmatools/backend
// sets it, before it creates an XLA backend, to the absolute directory its XLACacheDir names
// (the one place where the default, ~/.cache/nmatools/xla, is decided). $NMATOOLS_XLA_CACHE_DEBUG=1 prints one line
// per compilation on stderr: "nmatools-xla-cache: hit|miss|stored|..." with the reason.
//
// An entry is the file <dir>/<16 hex digits>.xc: a header (magic, lengths, checksum), the
// whole key (the wrapper's format version, the wrapped plugin's PJRT API version, platform
// name and version and file size, the CPU's feature flags, $XLA_FLAGS, the program's format
// and code and the serialized compile options) and the serialized executable. A lookup
// compares the whole key byte for byte, so two programs never share an entry, and checks
// the checksum; an entry that is short, corrupt, of another key or that the plugin cannot
// load is compiled again and replaced. Entries are written to a temporary file in the same
// directory and renamed into place, so concurrent processes never see half an entry.
// Any failure of the cache itself falls back to an ordinary compilation: the cache can make
// a compilation faster, never fail.
//
// Size: a hit marks its entry as used (its modification time); after a store, when the
// entries together exceed $NMATOOLS_XLA_CACHE_MAX_MB (default 256; 0 means no limit), the
// least recently used others are removed until they take three quarters of it. Temporary files an interrupted process
// left behind are removed after an hour.

#define _GNU_SOURCE
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include "pjrt_c_api.h"

// Messages and paths are cut to their buffers on purpose.
#pragma GCC diagnostic ignored "-Wformat-truncation"

#define FORMAT_VERSION "nmatools-xla-cache 1"
static const char kMagic[8] = {'N', 'M', 'X', 'L', 'A', 'C', '0', '1'};
// Entries larger than this are not read (a serialized CPU executable of this project's
// graphs is well under 10 MiB).
#define MAX_ENTRY_BYTES (1ull << 30)

typedef struct {
  char magic[8];
  uint64_t key_len;
  uint64_t payload_len;
  uint64_t checksum;  // FNV-1a 64 of key and payload
} entry_header;

static const PJRT_Api* real_api;  // the wrapped plugin's table
static PJRT_Api* shim_api;        // a copy of it with PJRT_Client_Compile replaced
static char init_error[512];
static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static int debug_on;

static void debugf(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
static void debugf(const char* fmt, ...) {
  if (!debug_on) return;
  va_list ap;
  va_start(ap, fmt);
  fputs("nmatools-xla-cache: ", stderr);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
}

// ---- hashing ----

static uint64_t fnv1a(uint64_t h, const void* data, size_t n) {
  const unsigned char* p = data;
  for (size_t i = 0; i < n; i++) {
    h ^= p[i];
    h *= 1099511628211ull;
  }
  return h;
}
#define FNV_OFFSET 14695981039346656037ull

// ---- a growing byte buffer for the key ----

typedef struct {
  char* data;
  size_t len, cap;
  int failed;
} buf;

static void buf_add(buf* b, const void* p, size_t n) {
  if (b->failed) return;
  if (b->len + n + 1 > b->cap) {
    size_t c = b->cap ? b->cap : 4096;
    while (c < b->len + n + 1) c *= 2;
    char* d = realloc(b->data, c);
    if (!d) {
      b->failed = 1;
      return;
    }
    b->data = d;
    b->cap = c;
  }
  memcpy(b->data + b->len, p, n);
  b->len += n;
}

// buf_field appends a length-prefixed field, so that no two keys concatenate alike.
static void buf_field(buf* b, const char* name, const void* p, size_t n) {
  uint64_t n64 = n;
  buf_add(b, name, strlen(name) + 1);
  buf_add(b, &n64, sizeof n64);
  if (n) buf_add(b, p, n);
}

// ---- helpers over the wrapped API ----

static int has_field(size_t offset) {
  return real_api && offset + sizeof(void*) <= real_api->struct_size;
}
#define HAS(fn) (has_field(offsetof(PJRT_Api, fn)) && real_api->fn != NULL)

static void error_text(PJRT_Error* err, char* out, size_t n) {
  out[0] = 0;
  if (!err) return;
  if (HAS(PJRT_Error_Message)) {
    PJRT_Error_Message_Args a = {0};
    a.struct_size = PJRT_Error_Message_Args_STRUCT_SIZE;
    a.error = err;
    real_api->PJRT_Error_Message(&a);
    snprintf(out, n, "%.*s", (int)(a.message_size < 400 ? a.message_size : 400), a.message ? a.message : "");
  }
}

static void error_free(PJRT_Error* err) {
  if (!err || !HAS(PJRT_Error_Destroy)) return;
  PJRT_Error_Destroy_Args a = {0};
  a.struct_size = PJRT_Error_Destroy_Args_STRUCT_SIZE;
  a.error = err;
  real_api->PJRT_Error_Destroy(&a);
}

// ---- where things are ----

static int cache_dir(char* out, size_t n) {
  const char* d = getenv("NMATOOLS_XLA_CACHE");
  if (!d || !*d || strcmp(d, "off") == 0) return 0;
  snprintf(out, n, "%s", d);
  return 1;
}

static int mkdirs(const char* path) {
  char tmp[4096];
  snprintf(tmp, sizeof tmp, "%s", path);
  for (char* p = tmp + 1; *p; p++) {
    if (*p == '/') {
      *p = 0;
      if (mkdir(tmp, 0755) != 0 && errno != EEXIST) return -1;
      *p = '/';
    }
  }
  if (mkdir(tmp, 0755) != 0 && errno != EEXIST) return -1;
  return 0;
}

// cpu_flags: the "flags" line of /proc/cpuinfo (an executable compiled for one CPU may
// use instructions another lacks, e.g. where a cache directory is shared over NFS).
static void cpu_flags(buf* key) {
  FILE* f = fopen("/proc/cpuinfo", "r");
  if (!f) {
    buf_field(key, "cpu", "", 0);
    return;
  }
  char line[8192];
  int found = 0;
  while (fgets(line, sizeof line, f)) {
    if (strncmp(line, "flags", 5) == 0 || strncmp(line, "Features", 8) == 0) {
      buf_field(key, "cpu", line, strlen(line));
      found = 1;
      break;
    }
  }
  fclose(f);
  if (!found) buf_field(key, "cpu", "", 0);
}

// ---- initialization: load the wrapped plugin ----

static PJRT_Error* cached_compile(PJRT_Client_Compile_Args* args);

static void init(void) {
  debug_on = getenv("NMATOOLS_XLA_CACHE_DEBUG") && strcmp(getenv("NMATOOLS_XLA_CACHE_DEBUG"), "1") == 0;
  char path[4096];
  const char* env = getenv("NMATOOLS_XLA_REAL_PLUGIN");
  if (env && *env) {
    snprintf(path, sizeof path, "%s", env);
  } else {
    Dl_info info;
    if (!dladdr((void*)&init, &info) || !info.dli_fname) {
      snprintf(init_error, sizeof init_error, "cannot find the wrapper's own file (dladdr)");
      return;
    }
    // The wrapper's own file, links resolved (it may be loaded through a symbolic link).
    char self[4096];
    if (!realpath(info.dli_fname, self)) snprintf(self, sizeof self, "%s", info.dli_fname);
    const char* slash = strrchr(self, '/');
    if (slash) {
      snprintf(path, sizeof path, "%.*s/real/%s", (int)(slash - self), self, slash + 1);
    } else {
      snprintf(path, sizeof path, "real/%s", self);
    }
  }
  void* h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
  if (!h) {
    snprintf(init_error, sizeof init_error, "cannot load the wrapped PJRT plugin %s: %s", path, dlerror());
    return;
  }
  const PJRT_Api* (*get)(void) = (const PJRT_Api* (*)(void))dlsym(h, "GetPjrtApi");
  if (!get) {
    snprintf(init_error, sizeof init_error, "%s has no GetPjrtApi: not a PJRT plugin", path);
    return;
  }
  real_api = get();
  if (!real_api || real_api->struct_size < offsetof(PJRT_Api, PJRT_Client_Compile) + sizeof(void*)) {
    snprintf(init_error, sizeof init_error, "%s returned no usable PJRT API table", path);
    real_api = NULL;
    return;
  }
  size_t size = real_api->struct_size;
  if (size < sizeof(PJRT_Api)) size = sizeof(PJRT_Api);  // fields this header knows read as NULL
  shim_api = calloc(1, size);
  if (!shim_api) {
    snprintf(init_error, sizeof init_error, "out of memory");
    return;
  }
  memcpy(shim_api, real_api, real_api->struct_size);
  shim_api->PJRT_Client_Compile = cached_compile;
}

// ---- the cache ----

// build_key returns the whole key of a compilation; key->failed on error.
static void build_key(buf* key, PJRT_Client_Compile_Args* args) {
  buf_field(key, "format", FORMAT_VERSION, strlen(FORMAT_VERSION));
  int v[2] = {real_api->pjrt_api_version.major_version, real_api->pjrt_api_version.minor_version};
  buf_field(key, "api", v, sizeof v);
  if (HAS(PJRT_Client_PlatformName)) {
    PJRT_Client_PlatformName_Args a = {0};
    a.struct_size = PJRT_Client_PlatformName_Args_STRUCT_SIZE;
    a.client = args->client;
    PJRT_Error* err = real_api->PJRT_Client_PlatformName(&a);
    if (err) {
      error_free(err);
      key->failed = 1;
      return;
    }
    buf_field(key, "platform", a.platform_name, a.platform_name_size);
  }
  if (HAS(PJRT_Client_PlatformVersion)) {
    PJRT_Client_PlatformVersion_Args a = {0};
    a.struct_size = PJRT_Client_PlatformVersion_Args_STRUCT_SIZE;
    a.client = args->client;
    PJRT_Error* err = real_api->PJRT_Client_PlatformVersion(&a);
    if (err) {
      error_free(err);
      key->failed = 1;
      return;
    }
    buf_field(key, "platform_version", a.platform_version, a.platform_version_size);
  }
  // The wrapped plugin's file size: a rebuilt plugin of the same version gets new entries.
  Dl_info info;
  struct stat st;
  long long size = -1;
  if (HAS(PJRT_Client_Compile) && dladdr((void*)real_api->PJRT_Client_Compile, &info) && info.dli_fname &&
      stat(info.dli_fname, &st) == 0) {
    size = (long long)st.st_size;
  }
  buf_field(key, "plugin_size", &size, sizeof size);
  cpu_flags(key);
  const char* xf = getenv("XLA_FLAGS");
  buf_field(key, "xla_flags", xf ? xf : "", xf ? strlen(xf) : 0);
  const PJRT_Program* p = args->program;
  buf_field(key, "program_format", p->format, p->format_size);
  buf_field(key, "compile_options", args->compile_options, args->compile_options_size);
  buf_field(key, "program", p->code, p->code_size);
}

static void entry_path(char* out, size_t n, const char* dir, const buf* key) {
  uint64_t h = fnv1a(FNV_OFFSET, key->data, key->len);
  snprintf(out, n, "%s/%016llx.xc", dir, (unsigned long long)h);
}

// read_entry returns the serialized executable stored for key (malloc'ed), or NULL with
// a reason in why.
static char* read_entry(const char* path, const buf* key, size_t* out_len, const char** why) {
  *why = "no entry";
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return NULL;
  struct stat st;
  entry_header h;
  char* data = NULL;
  *why = "short or unreadable entry";
  if (fstat(fd, &st) != 0 || (uint64_t)st.st_size < sizeof h || (uint64_t)st.st_size > MAX_ENTRY_BYTES) goto fail;
  if (read(fd, &h, sizeof h) != (ssize_t)sizeof h) goto fail;
  if (memcmp(h.magic, kMagic, sizeof kMagic) != 0) {
    *why = "not an entry of this format";
    goto fail;
  }
  if (h.key_len != key->len || h.payload_len > MAX_ENTRY_BYTES ||
      (uint64_t)st.st_size != sizeof h + h.key_len + h.payload_len) {
    *why = h.key_len != key->len ? "entry of another program, or a corrupt header" : "entry of the wrong size";
    goto fail;
  }
  size_t total = (size_t)(h.key_len + h.payload_len);
  data = malloc(total ? total : 1);
  if (!data) goto fail;
  size_t got = 0;
  while (got < total) {
    ssize_t r = read(fd, data + got, total - got);
    if (r <= 0) goto fail;
    got += (size_t)r;
  }
  if (memcmp(data, key->data, key->len) != 0) {
    *why = "entry of another program (hash collision)";
    goto fail;
  }
  if (fnv1a(FNV_OFFSET, data, total) != h.checksum) {
    *why = "corrupt entry (checksum)";
    goto fail;
  }
  close(fd);
  memmove(data, data + h.key_len, (size_t)h.payload_len);
  *out_len = (size_t)h.payload_len;
  return data;
fail:
  free(data);
  close(fd);
  return NULL;
}

static int write_all(int fd, const void* p, size_t n) {
  const char* c = p;
  while (n > 0) {
    ssize_t w = write(fd, c, n);
    if (w == 0) errno = EIO;
    if (w <= 0) return -1;
    c += w;
    n -= (size_t)w;
  }
  return 0;
}

// write_entry stores the entry atomically (temporary file, then rename); 0, or an errno value.
static int write_entry(const char* dir, const char* path, const buf* key, const char* payload, size_t n) {
  if (mkdirs(dir) != 0) return errno ? errno : EIO;
  char tmp[4200];
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  snprintf(tmp, sizeof tmp, "%s/.tmp-%d-%ld.xc", dir, (int)getpid(), (long)ts.tv_nsec);
  int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) return errno ? errno : EIO;
  entry_header h;
  memcpy(h.magic, kMagic, sizeof kMagic);
  h.key_len = key->len;
  h.payload_len = n;
  h.checksum = fnv1a(fnv1a(FNV_OFFSET, key->data, key->len), payload, n);
  int rc = 0;
  if (write_all(fd, &h, sizeof h) != 0 || write_all(fd, key->data, key->len) != 0 ||
      write_all(fd, payload, n) != 0 || fsync(fd) != 0) {
    rc = errno ? errno : EIO;
  }
  if (close(fd) != 0 && rc == 0) rc = errno ? errno : EIO;
  if (rc == 0 && rename(tmp, path) != 0) rc = errno ? errno : EIO;
  if (rc != 0) unlink(tmp);
  return rc;
}

// prune removes the least recently used entries (but keep) when the directory holds more
// than the limit, and temporary files older than an hour.
typedef struct {
  char name[64];
  time_t mtime;
  off_t size;
} entry_info;

static int by_mtime(const void* a, const void* b) {
  const entry_info *x = a, *y = b;
  return (x->mtime > y->mtime) - (x->mtime < y->mtime);
}

// is_entry_name: "<16 hex digits>.xc", the names entry_path makes (nothing else in the
// directory is counted or removed, should it be shared).
static int is_entry_name(const char* name) {
  for (int i = 0; i < 16; i++) {
    char c = name[i];
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return 0;
  }
  return strcmp(name + 16, ".xc") == 0;
}

// is_tmp_name: ".tmp-<pid>-<ns>.xc", the names write_entry makes.
static int is_tmp_name(const char* name) {
  size_t len = strlen(name);
  return strncmp(name, ".tmp-", 5) == 0 && len > 8 && strcmp(name + len - 3, ".xc") == 0;
}

static void prune(const char* dir, const char* keep) {
  double mb = 256;
  const char* e = getenv("NMATOOLS_XLA_CACHE_MAX_MB");
  if (e && *e) {
    char* end = NULL;
    double v = strtod(e, &end);
    if (end == e || *end != 0 || !(v >= 0)) {
      debugf("NMATOOLS_XLA_CACHE_MAX_MB=%s is not a number of MiB (0 means no limit); using 256", e);
    } else {
      mb = v;
    }
  }
  if (!(mb > 0)) return;
  long long limit = (long long)(mb * (1 << 20));
  DIR* d = opendir(dir);
  if (!d) return;
  entry_info* list = NULL;
  size_t n = 0, cap = 0;
  long long total = 0;
  time_t now = time(NULL);
  struct dirent* de;
  char path[4400];
  while ((de = readdir(d)) != NULL) {
    int tmp = is_tmp_name(de->d_name);
    if (!tmp && !is_entry_name(de->d_name)) continue;
    struct stat st;
    snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
    if (stat(path, &st) != 0 || !S_ISREG(st.st_mode)) continue;
    if (tmp) {
      if (now - st.st_mtime > 3600) unlink(path);
      continue;
    }
    if (n == cap) {
      cap = cap ? 2 * cap : 64;
      entry_info* l = realloc(list, cap * sizeof *l);
      if (!l) break;
      list = l;
    }
    snprintf(list[n].name, sizeof list[n].name, "%s", de->d_name);
    list[n].mtime = st.st_mtime;
    list[n].size = st.st_size;
    total += st.st_size;
    n++;
  }
  closedir(d);
  if (total > limit) {
    qsort(list, n, sizeof *list, by_mtime);
    for (size_t i = 0; i < n && total > limit / 4 * 3; i++) {
      snprintf(path, sizeof path, "%s/%s", dir, list[i].name);
      if (strcmp(path, keep) == 0) continue;  // the entry just stored stays
      if (unlink(path) == 0) {
        total -= list[i].size;
        debugf("removed %s (least recently used; the cache is over %g MiB)", path, mb);
      }
    }
  }
  free(list);
}

// load tries to deserialize a stored executable; returns 1 and sets args->executable on success.
static int load(PJRT_Client_Compile_Args* args, const char* payload, size_t n, char* why, size_t whyn) {
  PJRT_Executable_DeserializeAndLoad_Args a = {0};
  a.struct_size = PJRT_Executable_DeserializeAndLoad_Args_STRUCT_SIZE;
  a.client = args->client;
  a.serialized_executable = payload;
  a.serialized_executable_size = n;
  // The options the program was compiled with (they are part of the key, so equal).
  a.overridden_serialized_compile_options = args->compile_options;
  a.overridden_serialized_compile_options_size = args->compile_options_size;
  PJRT_Error* err = real_api->PJRT_Executable_DeserializeAndLoad(&a);
  if (err) {
    error_text(err, why, whyn);
    error_free(err);
    return 0;
  }
  args->executable = a.loaded_executable;
  return 1;
}

// store serializes the compiled executable and writes it; returns 0 on success.
static int store(PJRT_LoadedExecutable* loaded, const char* dir, const char* path, const buf* key, char* why,
                 size_t whyn) {
  PJRT_LoadedExecutable_GetExecutable_Args g = {0};
  g.struct_size = PJRT_LoadedExecutable_GetExecutable_Args_STRUCT_SIZE;
  g.loaded_executable = loaded;
  PJRT_Error* err = real_api->PJRT_LoadedExecutable_GetExecutable(&g);
  if (err) {
    error_text(err, why, whyn);
    error_free(err);
    return -1;
  }
  PJRT_Executable_Serialize_Args s = {0};
  s.struct_size = PJRT_Executable_Serialize_Args_STRUCT_SIZE;
  s.executable = g.executable;
  err = real_api->PJRT_Executable_Serialize(&s);
  int rc = -1;
  if (err) {
    error_text(err, why, whyn);
    error_free(err);
  } else {
    rc = write_entry(dir, path, key, s.serialized_bytes, s.serialized_bytes_size);
    if (rc != 0) snprintf(why, whyn, "cannot write %s: %s", path, strerror(rc));
    if (s.serialized_executable_deleter) s.serialized_executable_deleter(s.serialized_executable);
  }
  PJRT_Executable_Destroy_Args d = {0};
  d.struct_size = PJRT_Executable_Destroy_Args_STRUCT_SIZE;
  d.executable = g.executable;
  error_free(real_api->PJRT_Executable_Destroy(&d));
  return rc;
}

static PJRT_Error* cached_compile(PJRT_Client_Compile_Args* args) {
  char dir[4096];
  if (!cache_dir(dir, sizeof dir) || !HAS(PJRT_Executable_Serialize) || !HAS(PJRT_Executable_DeserializeAndLoad) ||
      !HAS(PJRT_LoadedExecutable_GetExecutable) || !HAS(PJRT_Executable_Destroy) || !args || !args->program) {
    debugf("off");
    return real_api->PJRT_Client_Compile(args);
  }
  buf key = {0};
  build_key(&key, args);
  if (key.failed) {
    free(key.data);
    debugf("off: cannot build the key");
    return real_api->PJRT_Client_Compile(args);
  }
  char path[4300], why[512];
  entry_path(path, sizeof path, dir, &key);
  size_t n = 0;
  const char* reason = NULL;
  char* payload = read_entry(path, &key, &n, &reason);
  if (payload) {
    int ok = load(args, payload, n, why, sizeof why);
    free(payload);
    if (ok) {
      utimensat(AT_FDCWD, path, NULL, 0);  // used now (for the size limit)
      debugf("hit %s", path);
      free(key.data);
      return NULL;
    }
    debugf("miss %s: the plugin cannot load the entry (%s)", path, why);
  } else {
    debugf("miss %s: %s", path, reason);
  }
  PJRT_Error* err = real_api->PJRT_Client_Compile(args);
  if (!err && args->executable) {
    why[0] = 0;
    if (store(args->executable, dir, path, &key, why, sizeof why) == 0) {
      debugf("stored %s", path);
      prune(dir, path);
    } else {
      debugf("not stored: %s", why);
    }
  }
  free(key.data);
  return err;
}

// GetPjrtApi is the PJRT plugin entry point: the wrapped plugin's table with
// PJRT_Client_Compile replaced. NULL (and a message on stderr) when the wrapped plugin
// cannot be loaded.
const PJRT_Api* GetPjrtApi(void) {
  pthread_once(&init_once, init);
  if (!shim_api) {
    fprintf(stderr, "nmatools-xla-cache: %s\n", init_error[0] ? init_error : "initialization failed");
    return NULL;
  }
  return shim_api;
}
