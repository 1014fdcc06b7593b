/*
 * Tandem benchmark load generator: one single-threaded epoll loop, no dependencies.
 *
 *   loadgen SCENARIO key=value ...      run a scenario, print one JSON object on stdout
 *   loadgen relay port=P                a "null" relay server (the load generator's ceiling)
 *   loadgen emit count=N client=C       print N edits as hex, for bench/node/yjs-check.mjs
 *
 * Why C: a Node client (ws, or even raw `net` sockets) spends ~8 us of CPU per received
 * frame, so 500 readers x 200 updates/s already fill its core. Here a received frame costs
 * one read() (often fewer: several frames per read) and a memmem().
 *
 * Protocol: y-protocols sync over WebSocket, as npm y-websocket speaks it ("y" dialect), or
 * Hocuspocus's framing ("hocuspocus": every message starts with the document name as a
 * varstring, and an Auth(Token) message opens the document). Client frames are masked with an
 * all-zero key (RFC 6455 requires a mask, not a random one from a client we control).
 *
 * Edits are Y.Map sets of key "w<writer>" to "§§T<writer>.<seq>§", encoded exactly as Yjs 13
 * encodes them (update v1; `emit` lets bench/node/yjs-check.mjs compare byte for byte with a
 * real Y.Doc on every run). Readers find the markers with memmem and look up the send time
 * the writer recorded in this same process (CLOCK_MONOTONIC), so no clock is shared.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* ---------------------------------------------------------------------------------------- */
/* small things                                                                               */

static void die(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    char msg[1024];
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    printf("{\"ok\": false, \"error\": \"");
    for (char *p = msg; *p; p++) putchar(*p == '"' || *p == '\\' ? '\'' : *p);
    printf("\"}\n");
    fflush(stdout);
    fprintf(stderr, "[loadgen] error: %s\n", msg);
    exit(1);
}

static int quiet = 0;
static void note(const char *fmt, ...) {
    if (quiet) return;
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "[loadgen] ");
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

static double now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void *xmalloc(size_t n) {
    void *p = malloc(n ? n : 1);
    if (!p) die("out of memory (%zu bytes)", n);
    return p;
}

static void *xcalloc(size_t n, size_t size) {
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p) die("out of memory");
    return p;
}

typedef struct {
    uint8_t *p;
    size_t len, cap;
} buf_t;

static void buf_reserve(buf_t *b, size_t extra) {
    if (b->len + extra <= b->cap) return;
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < b->len + extra) cap *= 2;
    b->p = realloc(b->p, cap);
    if (!b->p) die("out of memory");
    b->cap = cap;
}

static void buf_append(buf_t *b, const void *data, size_t n) {
    buf_reserve(b, n);
    memcpy(b->p + b->len, data, n);
    b->len += n;
}

static void buf_consume(buf_t *b, size_t n) {
    if (n >= b->len) { b->len = 0; return; }
    memmove(b->p, b->p + n, b->len - n);
    b->len -= n;
}

static void buf_free(buf_t *b) { free(b->p); b->p = NULL; b->len = b->cap = 0; }

static size_t put_varuint(uint8_t *out, uint64_t v) {
    size_t n = 0;
    while (v > 127) { out[n++] = 0x80 | (v & 0x7f); v >>= 7; }
    out[n++] = (uint8_t)v;
    return n;
}

static uint64_t get_varuint(const uint8_t *p, size_t len, size_t *pos) {
    uint64_t v = 0;
    int shift = 0;
    while (*pos < len) {
        uint8_t b = p[(*pos)++];
        v |= (uint64_t)(b & 0x7f) << shift;
        if (b < 0x80) return v;
        shift += 7;
        if (shift > 63) break;
    }
    return v;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* ---------------------------------------------------------------------------------------- */
/* configuration: key=value arguments                                                         */

#define MAX_ARGS 64
static const char *arg_keys[MAX_ARGS], *arg_vals[MAX_ARGS];
static int n_args;

static const char *opt_str(const char *key, const char *def) {
    for (int i = 0; i < n_args; i++)
        if (strcmp(arg_keys[i], key) == 0) return arg_vals[i];
    return def;
}

static double opt_num(const char *key, double def) {
    const char *v = opt_str(key, NULL);
    return v ? atof(v) : def;
}

static int g_port;
static const char *g_path;      /* URL path template with {doc} */
static int g_hocus;             /* Hocuspocus framing */
static int g_server_pid;
/* Scenario F (cross-node): the second Tandem node and Redis, measured in the same window. */
static int g_server2_pid, g_redis_pid;
static long g_clk_tck = 100;

/* ---------------------------------------------------------------------------------------- */
/* JSON output                                                                                */

static int json_first = 1;
static void json_begin(void) { printf("{\"ok\": true"); json_first = 0; }
static void json_num(const char *k, double v) {
    if (isnan(v) || isinf(v)) printf(", \"%s\": null", k);
    else printf(", \"%s\": %.6g", k, v);
}
static void json_str(const char *k, const char *v) { printf(", \"%s\": \"%s\"", k, v); }
static void json_end(void) { printf("}\n"); fflush(stdout); }

/* ---------------------------------------------------------------------------------------- */
/* /proc                                                                                      */

static double proc_cpu_seconds(int pid) {
    if (pid <= 0) return NAN;
    char path[64], data[2048];
    snprintf(path, sizeof path, "/proc/%d/stat", pid);
    FILE *f = fopen(path, "r");
    if (!f) return NAN;
    size_t n = fread(data, 1, sizeof data - 1, f);
    fclose(f);
    data[n] = 0;
    char *p = strrchr(data, ')');
    if (!p) return NAN;
    p += 2; /* state */
    unsigned long utime = 0, stime = 0;
    /* fields after ')': state(3) ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime(14) stime(15) */
    if (sscanf(p, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &utime, &stime) != 2) return NAN;
    return (double)(utime + stime) / g_clk_tck;
}

static double proc_rss_kib(int pid) {
    if (pid <= 0) return NAN;
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%d/status", pid);
    FILE *f = fopen(path, "r");
    if (!f) return NAN;
    double rss = NAN;
    while (fgets(line, sizeof line, f))
        if (strncmp(line, "VmRSS:", 6) == 0) { rss = atof(line + 6); break; }
    fclose(f);
    return rss;
}

static double self_cpu_seconds(void) {
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

typedef struct { double t0, cpu0, self0, cpu2_0, redis0; } meter_t;
typedef struct { double wall_s, server_cpu_s, server_cpu_pct, loadgen_cpu_pct, server2_cpu_s, redis_cpu_s; } meter_result_t;

static meter_t meter_start(void) {
    meter_t m = {now_ms(), proc_cpu_seconds(g_server_pid), self_cpu_seconds(),
                 g_server2_pid ? proc_cpu_seconds(g_server2_pid) : NAN, g_redis_pid ? proc_cpu_seconds(g_redis_pid) : NAN};
    return m;
}

static meter_result_t meter_stop(meter_t m) {
    meter_result_t r;
    r.wall_s = (now_ms() - m.t0) / 1e3;
    r.server_cpu_s = proc_cpu_seconds(g_server_pid) - m.cpu0;
    r.server_cpu_pct = 100 * r.server_cpu_s / r.wall_s;
    r.loadgen_cpu_pct = 100 * (self_cpu_seconds() - m.self0) / r.wall_s;
    r.server2_cpu_s = g_server2_pid ? proc_cpu_seconds(g_server2_pid) - m.cpu2_0 : NAN;
    r.redis_cpu_s = g_redis_pid ? proc_cpu_seconds(g_redis_pid) - m.redis0 : NAN;
    return r;
}

static void json_meter(meter_result_t r) {
    json_num("wall_s", r.wall_s);
    json_num("server_cpu_s", r.server_cpu_s);
    json_num("server_cpu_pct", r.server_cpu_pct);
    json_num("loadgen_cpu_pct", r.loadgen_cpu_pct);
    if (g_server2_pid) {
        json_num("server2_cpu_s", r.server2_cpu_s);
        json_num("server2_cpu_pct", 100 * r.server2_cpu_s / r.wall_s);
    }
    if (g_redis_pid) {
        json_num("redis_cpu_s", r.redis_cpu_s);
        json_num("redis_cpu_pct", 100 * r.redis_cpu_s / r.wall_s);
    }
}

/* ---------------------------------------------------------------------------------------- */
/* edits: Y.Map set, encoded as Yjs 13 does                                                   */

static const uint8_t MARK[] = {0xc2, 0xa7, 0xc2, 0xa7, 'T'}; /* "§§T" */
static const char *MAP_NAME = "bench";

typedef struct {
    uint32_t client;
    uint64_t clock; /* clock of the next edit */
    int w;
} editor_t;

static uint32_t random_u32(void) {
    static int fd = -1;
    uint32_t v = 0;
    if (fd < 0) fd = open("/dev/urandom", O_RDONLY);
    if (fd < 0 || read(fd, &v, sizeof v) != sizeof v) v = (uint32_t)(now_ms() * 1000) ^ (uint32_t)getpid();
    return v;
}

static void editor_init(editor_t *e, int w, uint32_t client) {
    e->client = client ? client : (random_u32() | 1);
    e->clock = 0;
    e->w = w;
}

static size_t put_varstring(uint8_t *out, const char *s, size_t n) {
    size_t k = put_varuint(out, n);
    memcpy(out + k, s, n);
    return k + n;
}

/* Writes the update for edit `seq` (the next one) into out (>= 128 bytes); returns its length. */
static size_t editor_next(editor_t *e, uint64_t seq, uint8_t *out) {
    char value[64], key[24];
    int vn = snprintf(value, sizeof value, "\xc2\xa7\xc2\xa7T%d.%llu\xc2\xa7", e->w, (unsigned long long)seq);
    int kn = snprintf(key, sizeof key, "w%d", e->w);
    size_t o = 0;
    out[o++] = 1; /* one client */
    out[o++] = 1; /* one struct */
    o += put_varuint(out + o, e->client);
    o += put_varuint(out + o, e->clock);
    if (e->clock == 0) {
        out[o++] = 0x28;                            /* parentSub | ContentAny */
        out[o++] = 1;                               /* parent is a root type, by name */
        o += put_varstring(out + o, MAP_NAME, strlen(MAP_NAME));
        o += put_varstring(out + o, key, kn);       /* parentSub: the map key */
        out[o++] = 1;                               /* one value */
        out[o++] = 0x77;                            /* any: string */
        o += put_varstring(out + o, value, vn);
        out[o++] = 0;                               /* empty delete set */
    } else {
        out[o++] = 0xa8;                            /* origin | parentSub | ContentAny */
        o += put_varuint(out + o, e->client);       /* left origin: the previous set */
        o += put_varuint(out + o, e->clock - 1);
        out[o++] = 1;
        out[o++] = 0x77;
        o += put_varstring(out + o, value, vn);
        out[o++] = 1;                               /* delete set: the previous set */
        o += put_varuint(out + o, e->client);
        out[o++] = 1;
        o += put_varuint(out + o, e->clock - 1);
        out[o++] = 1;
    }
    e->clock++;
    return o;
}

/* Calls cb(ctx, writer, seq) for every marker in [p, p+n). */
typedef void (*marker_cb)(void *ctx, int w, uint64_t seq);
static void scan_markers(const uint8_t *p, size_t n, marker_cb cb, void *ctx) {
    const uint8_t *end = p + n;
    while (p < end) {
        const uint8_t *m = memmem(p, end - p, MARK, sizeof MARK);
        if (!m) return;
        const uint8_t *q = m + sizeof MARK;
        int w = 0, nd = 0;
        while (q < end && *q >= '0' && *q <= '9') { w = w * 10 + (*q - '0'); q++; nd++; }
        if (nd && q < end && *q == '.') {
            q++;
            uint64_t s = 0;
            nd = 0;
            while (q < end && *q >= '0' && *q <= '9') { s = s * 10 + (*q - '0'); q++; nd++; }
            if (nd && q < end && *q == 0xc2) cb(ctx, w, s);
        }
        p = q;
    }
}

/* ---------------------------------------------------------------------------------------- */
/* WebSocket clients on one epoll loop                                                        */

enum { ST_CONNECTING, ST_HANDSHAKE, ST_OPEN, ST_CLOSED };

typedef struct client client_t;
typedef void (*update_cb)(client_t *c, const uint8_t *payload, size_t n, double t);

struct client {
    int fd, state, id;
    int port; /* the server this client connects to (g_port unless a scenario says otherwise) */
    char path[320];
    uint8_t prefix[256];
    size_t plen;
    buf_t in, out, frag;
    int frag_open, want_out, synced, counted_closed;
    double started, synced_at;
    uint64_t state_size; /* length of the first sync step 2 payload */
    update_cb on_update; /* sync step 2 / update payloads (after the sync subtype) */
    update_cb on_durable; /* Tandem durable ack: payload after the type */
    int is_server; /* relay side: frames arrive masked */
    void *room;
};

static int epfd = -1;
static int n_closed_unexpectedly;

static void ep_mod(client_t *c) {
    struct epoll_event ev = {.events = EPOLLIN | (c->want_out ? EPOLLOUT : 0), .data.ptr = c};
    epoll_ctl(epfd, EPOLL_CTL_MOD, c->fd, &ev);
}

static void client_close(client_t *c) {
    if (c->state == ST_CLOSED) return;
    if (c->state == ST_OPEN && !c->is_server && c->out.len == 0) {
        /* say goodbye as a browser would (close 1000), best effort, without waiting for the reply */
        static const uint8_t bye[] = {0x88, 0x82, 0, 0, 0, 0, 0x03, 0xe8};
        ssize_t k = write(c->fd, bye, sizeof bye);
        (void)k;
    }
    c->state = ST_CLOSED;
    if (c->fd >= 0) close(c->fd);
    c->fd = -1;
    buf_free(&c->in);
    buf_free(&c->out);
    buf_free(&c->frag);
}

static void raw_write(client_t *c, const uint8_t *data, size_t n) {
    if (c->state == ST_CLOSED) return;
    if (c->out.len == 0) {
        ssize_t k = write(c->fd, data, n);
        if (k == (ssize_t)n) return;
        if (k < 0) {
            if (errno != EAGAIN && errno != EWOULDBLOCK) { client_close(c); return; }
            k = 0;
        }
        data += k;
        n -= k;
    }
    buf_append(&c->out, data, n);
    if (!c->want_out) { c->want_out = 1; ep_mod(c); }
}

static void flush_out(client_t *c) {
    while (c->out.len) {
        ssize_t k = write(c->fd, c->out.p, c->out.len);
        if (k < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK) return;
            client_close(c);
            return;
        }
        buf_consume(&c->out, k);
    }
    if (c->want_out) { c->want_out = 0; ep_mod(c); }
}

/* Frame header for a binary message of n bytes; masked (zero key) from a client. */
static size_t frame_header(uint8_t *h, size_t n, int opcode, int masked) {
    size_t o = 0;
    h[o++] = 0x80 | opcode;
    uint8_t m = masked ? 0x80 : 0;
    if (n < 126) h[o++] = m | n;
    else if (n < 65536) { h[o++] = m | 126; h[o++] = n >> 8; h[o++] = n & 0xff; }
    else { h[o++] = m | 127; for (int i = 7; i >= 0; i--) h[o++] = (uint64_t)n >> (8 * i) & 0xff; }
    if (masked) { memset(h + o, 0, 4); o += 4; }
    return o;
}

/* Send one protocol message: prefix (Hocuspocus) + body. */
static void send_message(client_t *c, const uint8_t *body, size_t n) {
    size_t total = c->plen + n;
    uint8_t stackbuf[1024];
    uint8_t *f = total + 16 <= sizeof stackbuf ? stackbuf : xmalloc(total + 16);
    size_t o = frame_header(f, total, 2, !c->is_server);
    memcpy(f + o, c->prefix, c->plen);
    memcpy(f + o + c->plen, body, n);
    raw_write(c, f, o + total);
    if (f != stackbuf) free(f);
}

/* Send SYNC(sub, varbytes(payload)). */
static void send_sync(client_t *c, int sub, const uint8_t *payload, size_t n) {
    uint8_t stackbuf[1024];
    size_t total = n + 12;
    uint8_t *b = total <= sizeof stackbuf ? stackbuf : xmalloc(total);
    size_t o = 0;
    b[o++] = 0;
    b[o++] = sub;
    o += put_varuint(b + o, n);
    memcpy(b + o, payload, n);
    send_message(c, b, o + n);
    if (b != stackbuf) free(b);
}

static void client_opened(client_t *c) {
    if (g_hocus) {
        static const uint8_t auth[] = {2, 0, 0}; /* Auth, Token, "" */
        send_message(c, auth, sizeof auth);
    }
    static const uint8_t empty_sv[] = {0};
    send_sync(c, 0, empty_sv, 1);
}

static void relay_message(client_t *c, const uint8_t *m, size_t n);

static void client_message(client_t *c, const uint8_t *m, size_t n) {
    if (c->is_server) { relay_message(c, m, n); return; }
    double t = now_ms();
    size_t o = 0;
    if (g_hocus) { uint64_t l = get_varuint(m, n, &o); o += l; }
    if (o + 1 > n) return;
    uint8_t type = m[o];
    if (type == 0 && o + 2 <= n) {
        uint8_t sub = m[o + 1];
        if (sub == 0) {
            static const uint8_t empty_update[] = {0, 0};
            send_sync(c, 1, empty_update, 2);
        } else if (sub == 1 || sub == 2) {
            if (sub == 1 && !c->synced) {
                size_t p = o + 2;
                c->state_size = get_varuint(m, n, &p);
                c->synced = 1;
                c->synced_at = t;
            }
            if (c->on_update) c->on_update(c, m + o + 2, n - o - 2, t);
        }
    } else if (type == 100 && c->on_durable) {
        c->on_durable(c, m + o + 1, n - o - 1, t);
    }
}

/* Parse every complete frame in c->in. */
static void parse_frames(client_t *c) {
    size_t pos = 0;
    uint8_t *p = c->in.p;
    size_t len = c->in.len;
    while (c->state == ST_OPEN && len - pos >= 2) {
        uint8_t b0 = p[pos], b1 = p[pos + 1];
        int fin = b0 & 0x80, op = b0 & 0x0f, masked = b1 & 0x80;
        uint64_t n = b1 & 0x7f;
        size_t h = 2;
        if (n == 126) {
            if (len - pos < 4) break;
            n = (uint64_t)p[pos + 2] << 8 | p[pos + 3];
            h = 4;
        } else if (n == 127) {
            if (len - pos < 10) break;
            n = 0;
            for (int i = 0; i < 8; i++) n = n << 8 | p[pos + 2 + i];
            h = 10;
        }
        size_t mh = masked ? 4 : 0;
        if (len - pos < h + mh + n) break;
        uint8_t *payload = p + pos + h + mh;
        if (masked) {
            const uint8_t *key = p + pos + h;
            if (key[0] | key[1] | key[2] | key[3])
                for (uint64_t i = 0; i < n; i++) payload[i] ^= key[i & 3];
        }
        pos += h + mh + n;
        if (op == 8) {
            if (!c->is_server && !c->synced)
                note("%s: server closed with %d %.*s", c->path, n >= 2 ? payload[0] << 8 | payload[1] : 0,
                     (int)(n > 2 ? n - 2 : 0), (const char *)payload + 2);
            client_close(c);
            return;
        }
        if (op == 9) { /* ping: answer pong with the same payload */
            uint8_t hdr[16];
            size_t k = frame_header(hdr, n, 10, !c->is_server);
            uint8_t *f = xmalloc(k + n);
            memcpy(f, hdr, k);
            memcpy(f + k, payload, n);
            raw_write(c, f, k + n);
            free(f);
            continue;
        }
        if (op == 10) continue;
        if (op == 1 || op == 2) {
            if (fin) client_message(c, payload, n);
            else { c->frag.len = 0; buf_append(&c->frag, payload, n); c->frag_open = 1; }
        } else if (op == 0 && c->frag_open) {
            buf_append(&c->frag, payload, n);
            if (fin) { c->frag_open = 0; client_message(c, c->frag.p, c->frag.len); c->frag.len = 0; }
        }
        if (c->state == ST_CLOSED) return;
    }
    if (c->state != ST_CLOSED) buf_consume(&c->in, pos);
}

static void relay_accept_handshake(client_t *c);

static void on_readable(client_t *c) {
    buf_reserve(&c->in, 65536);
    ssize_t k = read(c->fd, c->in.p + c->in.len, c->in.cap - c->in.len);
    if (k == 0 || (k < 0 && errno != EAGAIN && errno != EWOULDBLOCK)) {
        if (!c->is_server && !c->synced) note("%s: connection lost (%s)", c->path, k ? strerror(errno) : "EOF");
        if (!c->counted_closed && !c->is_server) { n_closed_unexpectedly++; c->counted_closed = 1; }
        client_close(c);
        return;
    }
    if (k < 0) return;
    c->in.len += k;
    if (c->state == ST_HANDSHAKE) {
        uint8_t *e = memmem(c->in.p, c->in.len, "\r\n\r\n", 4);
        if (!e) return;
        if (c->is_server) {
            relay_accept_handshake(c);
        } else {
            if (c->in.len < 12 || memcmp(c->in.p + 9, "101", 3) != 0) {
                c->in.p[c->in.len < 200 ? c->in.len - 1 : 200] = 0;
                die("%s: WebSocket upgrade refused: %s", c->path, (char *)c->in.p);
            }
            c->state = ST_OPEN;
            buf_consume(&c->in, e + 4 - c->in.p);
            client_opened(c);
        }
    }
    if (c->state == ST_OPEN) parse_frames(c);
}

static void on_writable(client_t *c) {
    if (c->state == ST_CONNECTING) {
        int err = 0;
        socklen_t l = sizeof err;
        getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &l);
        if (err) die("%s: connect failed: %s", c->path, strerror(err));
        c->state = ST_HANDSHAKE;
        char req[512];
        int n = snprintf(req, sizeof req,
                         "GET %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                         "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
                         c->path, c->port);
        c->want_out = 0;
        ep_mod(c);
        raw_write(c, (uint8_t *)req, n);
        return;
    }
    flush_out(c);
}

/* Run the loop for at most `ms` milliseconds (returns after the first batch of events). */
static void pump(double ms) {
    struct epoll_event evs[512];
    if (ms < 0) ms = 0;
    struct timespec ts = {(time_t)(ms / 1e3), (long)(fmod(ms, 1e3) * 1e6)};
    int n = epoll_pwait2(epfd, evs, 512, &ts, NULL); /* sub-millisecond timeouts */

    for (int i = 0; i < n; i++) {
        client_t *c = evs[i].data.ptr;
        if (c->state == ST_CLOSED) continue;
        if (evs[i].events & EPOLLOUT) on_writable(c);
        if (c->state != ST_CLOSED && (evs[i].events & (EPOLLIN | EPOLLERR | EPOLLHUP))) on_readable(c);
    }
}

static void client_init(client_t *c, const char *doc, int durable) {
    memset(c, 0, sizeof *c);
    c->fd = -1;
    c->state = ST_CLOSED;
    c->port = g_port;
    /* path: template with {doc} */
    const char *t = g_path, *at = strstr(t, "{doc}");
    if (at) snprintf(c->path, sizeof c->path, "%.*s%s%s%s", (int)(at - t), t, doc, at + 5, durable ? "?durable=1" : "");
    else snprintf(c->path, sizeof c->path, "%s%s", t, durable ? "?durable=1" : "");
    if (g_hocus) c->plen = put_varstring(c->prefix, doc, strlen(doc));
}

static void client_connect(client_t *c) {
    c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    if (c->fd < 0) die("socket: %s", strerror(errno));
    int one = 1;
    setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(c->port ? c->port : g_port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    c->started = now_ms();
    c->state = ST_CONNECTING;
    c->synced = 0;
    if (connect(c->fd, (struct sockaddr *)&a, sizeof a) < 0 && errno != EINPROGRESS)
        die("connect: %s", strerror(errno));
    c->want_out = 1;
    struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT, .data.ptr = c};
    epoll_ctl(epfd, EPOLL_CTL_ADD, c->fd, &ev);
}

/* Connect all, at most `concurrency` handshakes at once; wait until every one has synced. */
static void open_all(client_t **cs, int n, int concurrency, double timeout_ms) {
    int started = 0, done = 0;
    double deadline = now_ms() + timeout_ms;
    int *pending = xcalloc(n, sizeof(int));
    int npending = 0;
    while (done < n) {
        while (started < n && npending < concurrency) { client_connect(cs[started]); pending[npending++] = started++; }
        pump(5);
        for (int i = 0; i < npending;) {
            client_t *c = cs[pending[i]];
            if (c->synced) { done++; pending[i] = pending[--npending]; continue; }
            if (c->state == ST_CLOSED) die("%s: closed before it synced", c->path);
            i++;
        }
        if (now_ms() > deadline) die("only %d of %d clients synced within %.0f s", done, n, timeout_ms / 1e3);
    }
    free(pending);
}

static void close_all(client_t **cs, int n) {
    for (int i = 0; i < n; i++) client_close(cs[i]);
}

static int count_closed(client_t **cs, int n) {
    int k = 0;
    for (int i = 0; i < n; i++) k += cs[i]->state == ST_CLOSED;
    return k;
}

static void sleep_pumping(double ms) {
    double end = now_ms() + ms;
    for (double t; (t = now_ms()) < end;) pump(end - t);
}

/* ---------------------------------------------------------------------------------------- */
/* latency samples                                                                           */

typedef struct { double *v; size_t n, cap; } samples_t;

static void samples_add(samples_t *s, double x) {
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 4096;
        s->v = realloc(s->v, s->cap * sizeof(double));
        if (!s->v) die("out of memory");
    }
    s->v[s->n++] = x;
}

/* p-th percentile over `expected` samples, those never received counting as +infinity (null). */
static double pct_of(samples_t *s, double p, size_t expected) {
    size_t full = expected > s->n ? expected : s->n;
    if (!full) return NAN;
    size_t i = (size_t)ceil(p / 100 * full);
    i = i ? i - 1 : 0;
    if (i >= full) i = full - 1;
    return i < s->n ? s->v[i] : NAN;
}

static void json_latency(samples_t *s, size_t expected) {
    qsort(s->v, s->n, sizeof(double), cmp_double);
    json_num("p50_ms", pct_of(s, 50, expected));
    json_num("p90_ms", pct_of(s, 90, expected));
    json_num("p99_ms", pct_of(s, 99, expected));
    json_num("max_ms", s->n ? s->v[s->n - 1] : NAN);
    json_num("samples", s->n);
    json_num("expected", expected);
}

/* ---------------------------------------------------------------------------------------- */
/* scenario fanout (A): 1 writer -> N readers at a fixed rate                                 */

static struct {
    int readers;
    uint64_t total;
    double *send_times;
    uint8_t *seen;
    samples_t lat;
    uint64_t delivered, duplicates;
    double recv_t;
    int reader;
} A;

static void fanout_marker(void *ctx, int w, uint64_t seq) {
    (void)ctx;
    if (w != 0 || seq >= A.total || isnan(A.send_times[seq])) return;
    size_t k = (size_t)A.reader * A.total + seq;
    if (A.seen[k]) { A.duplicates++; return; }
    A.seen[k] = 1;
    A.delivered++;
    samples_add(&A.lat, A.recv_t - A.send_times[seq]);
}

static void fanout_update(client_t *c, const uint8_t *p, size_t n, double t) {
    A.reader = c->id;
    A.recv_t = t;
    scan_markers(p, n, fanout_marker, NULL);
}

/* Also scenario F (cross-node): with reader_port=P the readers connect to the server on P (a
   second Tandem node), the writer to port= (the first); the nodes relay through Redis. */
static void scenario_fanout(void) {
    const char *doc = opt_str("doc", "bench-a");
    int n = (int)opt_num("readers", 10);
    int reader_port = (int)opt_num("reader_port", 0);
    double rate = opt_num("rate", 200), seconds = opt_num("seconds", 5), drain = opt_num("drain", 3);
    A.readers = n;
    A.total = (uint64_t)llround(rate * seconds);
    A.send_times = xmalloc(A.total * sizeof(double));
    for (uint64_t i = 0; i < A.total; i++) A.send_times[i] = NAN;
    A.seen = xcalloc((size_t)n * A.total, 1);
    client_t **cs = xcalloc(n + 1, sizeof(client_t *));
    for (int i = 0; i <= n; i++) {
        cs[i] = xcalloc(1, sizeof(client_t));
        client_init(cs[i], doc, 0);
        cs[i]->id = i;
        if (i < n) cs[i]->on_update = fanout_update;
        if (i < n && reader_port) cs[i]->port = reader_port;
    }
    client_t *writer = cs[n];
    note("A: connecting %d readers + 1 writer", n);
    double tc = now_ms();
    open_all(cs, n + 1, 64, 60000);
    double connect_s = (now_ms() - tc) / 1e3;
    sleep_pumping(500);
    /* pre-encode every edit */
    editor_t ed;
    editor_init(&ed, 0, 0);
    uint8_t **ups = xmalloc(A.total * sizeof(uint8_t *));
    size_t *upn = xmalloc(A.total * sizeof(size_t));
    for (uint64_t i = 0; i < A.total; i++) { ups[i] = xmalloc(128); upn[i] = editor_next(&ed, i, ups[i]); }
    note("A: sending %llu edits at %.0f/s", (unsigned long long)A.total, rate);
    samples_t lag = {0};
    meter_t m = meter_start();
    double t0 = now_ms();
    uint64_t sent = 0;
    while (sent < A.total) {
        double t = now_ms();
        uint64_t due = (uint64_t)((t - t0) * rate / 1e3) + 1;
        if (due > A.total) due = A.total;
        while (sent < due) {
            double ts = now_ms();
            samples_add(&lag, ts - (t0 + sent * 1e3 / rate));
            A.send_times[sent] = ts;
            send_sync(writer, 2, ups[sent], upn[sent]);
            sent++;
        }
        double next = t0 + sent * 1e3 / rate;
        pump(next - now_ms());
    }
    double send_s = (now_ms() - t0) / 1e3;
    uint64_t expected = (uint64_t)n * A.total;
    double deadline = now_ms() + drain * 1e3;
    while (A.delivered < expected && now_ms() < deadline) pump(deadline - now_ms());
    meter_result_t r = meter_stop(m);
    int closed = count_closed(cs, n);
    close_all(cs, n + 1);
    json_begin();
    json_str("scenario", "fanout");
    json_latency(&A.lat, expected);
    json_meter(r);
    qsort(lag.v, lag.n, sizeof(double), cmp_double);
    json_num("send_lag_p99_ms", pct_of(&lag, 99, lag.n));
    json_num("send_lag_max_ms", lag.n ? lag.v[lag.n - 1] : NAN);
    json_num("readers", n);
    if (reader_port) json_num("reader_port", reader_port);
    json_num("rate", rate);
    json_num("sent", sent);
    json_num("send_seconds", send_s);
    json_num("connect_seconds", connect_s);
    json_num("delivered", A.delivered);
    json_num("delivered_fraction", (double)A.delivered / expected);
    json_num("duplicates", A.duplicates);
    json_num("closed_readers", closed);
    json_num("server_cpu_us_per_delivered", A.delivered ? 1e6 * r.server_cpu_s / A.delivered : NAN);
    json_end();
}

/* ---------------------------------------------------------------------------------------- */
/* scenario throughput (B): W writers as fast as they can + R readers in one room             */

static struct {
    int writers;
    int64_t *max_seen;
    uint64_t delivered;
} B;

static void throughput_marker(void *ctx, int w, uint64_t seq) {
    (void)ctx;
    if (w >= B.writers) return;
    B.delivered++;
    if ((int64_t)seq > B.max_seen[w]) B.max_seen[w] = seq;
}

static void throughput_update(client_t *c, const uint8_t *p, size_t n, double t) {
    (void)c; (void)t;
    scan_markers(p, n, throughput_marker, NULL);
}

static uint64_t accepted_total(void) {
    uint64_t a = 0;
    for (int w = 0; w < B.writers; w++) a += B.max_seen[w] + 1;
    return a;
}

static void scenario_throughput(void) {
    const char *doc = opt_str("doc", "bench-b");
    int nw = (int)opt_num("writers", 20), nr = (int)opt_num("readers", 20);
    double warmup = opt_num("warmup", 2), seconds = opt_num("seconds", 5);
    int64_t window = (int64_t)opt_num("window", 200);
    uint64_t max_per_writer = (uint64_t)opt_num("max_per_writer", 5e6);
    B.writers = nw;
    B.max_seen = xmalloc(nw * sizeof(int64_t));
    for (int w = 0; w < nw; w++) B.max_seen[w] = -1;
    int n = nw + nr;
    client_t **cs = xcalloc(n, sizeof(client_t *));
    editor_t *eds = xcalloc(nw, sizeof(editor_t));
    uint64_t *sent = xcalloc(nw, sizeof(uint64_t));
    for (int i = 0; i < n; i++) {
        cs[i] = xcalloc(1, sizeof(client_t));
        client_init(cs[i], doc, 0);
        cs[i]->id = i;
        if (i >= nw) cs[i]->on_update = throughput_update;
        else editor_init(&eds[i], i, 0);
    }
    note("B: connecting %d writers + %d readers", nw, nr);
    open_all(cs, n, 64, 60000);
    sleep_pumping(300);
    /* Each writer keeps at most `window` edits that no reader has seen yet in flight: the
       server always has work queued, but socket buffers never hold seconds of backlog. */
    double t_start = now_ms(), t_measure = t_start + warmup * 1e3, t_end = t_measure + seconds * 1e3;
    uint64_t a0 = 0, d0 = 0, s0 = 0;
    int measuring = 0;
    meter_t m = {0};
    uint8_t up[128];
    for (;;) {
        double t = now_ms();
        if (!measuring && t >= t_measure) {
            measuring = 1;
            a0 = accepted_total(); d0 = B.delivered;
            for (int w = 0; w < nw; w++) s0 += sent[w];
            m = meter_start();
        }
        if (t >= t_end) break;
        for (int w = 0; w < nw; w++) {
            client_t *c = cs[w];
            if (c->state != ST_OPEN) continue;
            for (int budget = 32; budget > 0 && (int64_t)sent[w] - B.max_seen[w] - 1 < window && sent[w] < max_per_writer; budget--) {
                size_t k = editor_next(&eds[w], sent[w], up);
                send_sync(c, 2, up, k);
                sent[w]++;
            }
        }
        pump(1);
    }
    meter_result_t r = meter_stop(m);
    uint64_t a1 = accepted_total(), d1 = B.delivered, s1 = 0;
    for (int w = 0; w < nw; w++) s1 += sent[w];
    int closed = count_closed(cs, n);
    close_all(cs, n);
    double acc = (a1 - a0) / r.wall_s, del = (d1 - d0) / r.wall_s;
    json_begin();
    json_str("scenario", "throughput");
    json_meter(r);
    json_num("writers", nw);
    json_num("readers", nr);
    json_num("window", window);
    json_num("warmup_s", warmup);
    json_num("accepted_per_s", acc);
    json_num("delivered_per_s", del);
    json_num("sent_per_s", (s1 - s0) / r.wall_s);
    json_num("fanout_efficiency", acc > 0 ? del / (acc * nr) : NAN);
    json_num("server_cpu_us_per_accepted", a1 > a0 ? 1e6 * r.server_cpu_s / (a1 - a0) : NAN);
    json_num("closed_connections", closed);
    json_end();
}

/* ---------------------------------------------------------------------------------------- */
/* scenario rooms (C): many rooms x 2 clients                                                 */

static uint64_t C_delivered;
static void rooms_marker(void *ctx, int w, uint64_t seq) { (void)ctx; (void)w; (void)seq; C_delivered++; }
static void rooms_update(client_t *c, const uint8_t *p, size_t n, double t) {
    (void)c; (void)t;
    scan_markers(p, n, rooms_marker, NULL);
}

static void scenario_rooms(void) {
    const char *doc = opt_str("doc", "bench-c");
    int rooms = (int)opt_num("rooms", 1000);
    double active = opt_num("active", 5);
    int n = rooms * 2;
    client_t **cs = xcalloc(n, sizeof(client_t *));
    editor_t *eds = xcalloc(rooms, sizeof(editor_t));
    char name[256];
    for (int i = 0; i < rooms; i++) {
        snprintf(name, sizeof name, "%s-%d", doc, i);
        for (int k = 0; k < 2; k++) {
            client_t *c = cs[2 * i + k] = xcalloc(1, sizeof(client_t));
            client_init(c, name, 0);
            c->id = 2 * i + k;
            if (k == 1) c->on_update = rooms_update;
        }
        editor_init(&eds[i], i, 0);
    }
    sleep_pumping(200);
    double rss0 = proc_rss_kib(g_server_pid);
    note("C: connecting %d rooms x 2 clients (server RSS before: %.0f KiB)", rooms, rss0);
    meter_t mc = meter_start();
    open_all(cs, n, 100, 120000);
    meter_result_t rc = meter_stop(mc);
    sleep_pumping(1000);
    double rss_connected = proc_rss_kib(g_server_pid);
    note("C: synced in %.1f s; one edit per room per second for %.0f s", rc.wall_s, active);
    uint64_t total = (uint64_t)llround(rooms * active), sent = 0;
    uint8_t up[128];
    meter_t m = meter_start();
    double t0 = now_ms();
    while (sent < total) {
        uint64_t due = (uint64_t)((now_ms() - t0) * rooms / 1e3) + 1;
        if (due > total) due = total;
        while (sent < due) {
            int i = sent % rooms;
            size_t k = editor_next(&eds[i], sent / rooms, up);
            send_sync(cs[2 * i], 2, up, k);
            sent++;
        }
        pump(2);
    }
    double deadline = now_ms() + 2000;
    while (C_delivered < total && now_ms() < deadline) pump(deadline - now_ms());
    meter_result_t r = meter_stop(m);
    double rss1 = proc_rss_kib(g_server_pid);
    int closed = count_closed(cs, n);
    close_all(cs, n);
    json_begin();
    json_str("scenario", "rooms");
    json_meter(r);
    json_num("rooms", rooms);
    json_num("clients", n);
    json_num("connect_seconds", rc.wall_s);
    json_num("connect_server_cpu_s", rc.server_cpu_s);
    json_num("connect_loadgen_cpu_pct", rc.loadgen_cpu_pct);
    json_num("rss_before_kib", rss0);
    json_num("rss_connected_kib", rss_connected);
    json_num("rss_after_kib", rss1);
    json_num("rss_per_connection_kib", (rss1 - rss0) / n);
    json_num("rss_per_connection_connected_kib", (rss_connected - rss0) / n);
    json_num("updates_sent", sent);
    json_num("delivered_fraction", (double)C_delivered / total);
    json_num("closed_connections", closed);
    json_end();
}

/* ---------------------------------------------------------------------------------------- */
/* scenario bigdoc (D): connect -> full state of a large document                             */

static uint8_t *read_file(const char *path, size_t *n) {
    FILE *f = fopen(path, "rb");
    if (!f) die("cannot open %s", path);
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *data = xmalloc(size);
    if (fread(data, 1, size, f) != (size_t)size) die("cannot read %s", path);
    fclose(f);
    *n = size;
    return data;
}

static int health_rooms(int port) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) < 0) die("health: connect: %s", strerror(errno));
    const char *req = "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
    if (write(fd, req, strlen(req)) < 0) die("health: write");
    char resp[4096];
    size_t got = 0;
    ssize_t k;
    while (got < sizeof resp - 1 && (k = read(fd, resp + got, sizeof resp - 1 - got)) > 0) got += k;
    close(fd);
    resp[got] = 0;
    char *r = strstr(resp, "\"rooms\":");
    if (!r) die("health: no room count in %s", resp);
    return atoi(r + 8);
}

/* Connect a fresh client and wait for its sync step 2; returns ms from connect() to the state.
   The client stays connected (pycrdt-websocket 0.16.5 stops serving altogether when a client
   leaves while it still has a message queued for it); keep_open collects them, or NULL to close. */
typedef struct { client_t **v; int n, cap; } clients_t;

static double fetch_state(const char *doc, uint64_t *size, clients_t *keep_open) {
    client_t *c = xcalloc(1, sizeof(client_t));
    client_init(c, doc, 0);
    client_t *cs[1] = {c};
    open_all(cs, 1, 1, 120000);
    double ms = c->synced_at - c->started;
    *size = c->state_size;
    if (keep_open) {
        if (keep_open->n == keep_open->cap) {
            keep_open->cap = keep_open->cap ? keep_open->cap * 2 : 16;
            keep_open->v = realloc(keep_open->v, keep_open->cap * sizeof(client_t *));
        }
        keep_open->v[keep_open->n++] = c;
    } else {
        client_close(c);
        free(c);
    }
    return ms;
}

static client_t *seed(const char *doc, const uint8_t *board, size_t n, clients_t *keep_open) {
    client_t *s = xcalloc(1, sizeof(client_t));
    client_init(s, doc, 0);
    client_t *cs[1] = {s};
    open_all(cs, 1, 1, 30000);
    send_sync(s, 1, board, n); /* sync step 2: larger than Tandem's 1 MiB limit on a plain update */
    double deadline = now_ms() + 120000;
    for (;;) {
        while (s->out.len && s->state == ST_OPEN) pump(10);
        uint64_t size = 0;
        fetch_state(doc, &size, keep_open);
        if (size >= n * 9 / 10) break;
        if (now_ms() > deadline) die("%s: the server never held the seeded board (%llu bytes)", doc, (unsigned long long)size);
        sleep_pumping(100);
    }
    return s;
}

static void scenario_bigdoc(void) {
    const char *doc = opt_str("doc", "bench-d");
    int samples = (int)opt_num("samples", 10), cold_samples = (int)opt_num("cold_samples", 0);
    int health_port = (int)opt_num("health_port", 0);
    size_t n;
    uint8_t *board = read_file(opt_str("board", "board.bin"), &n);
    note("D: seeding a %zu-byte board", n);
    clients_t open_clients = {0};
    client_t *seeder = seed(doc, board, n, &open_clients);
    samples_t warm = {0};
    uint64_t size = 0;
    meter_t m = meter_start();
    for (int i = 0; i < samples; i++) samples_add(&warm, fetch_state(doc, &size, &open_clients));
    meter_result_t r = meter_stop(m);
    qsort(warm.v, warm.n, sizeof(double), cmp_double);
    samples_t cold = {0};
    if (cold_samples && health_port) {
        /* Tandem only: the same board under a new name; every sample waits until the room has
           been unloaded (TANDEM_ROOM_GRACE_SECONDS is small in this run), so the server loads
           the document from Postgres. */
        client_close(seeder);
        close_all(open_clients.v, open_clients.n);
        char cold_doc[256];
        snprintf(cold_doc, sizeof cold_doc, "%s-cold", doc);
        client_t *s = seed(cold_doc, board, n, NULL);
        client_close(s);
        for (int i = 0; i < cold_samples; i++) {
            double deadline = now_ms() + 60000;
            while (health_rooms(health_port) > 0) {
                if (now_ms() > deadline) die("D cold: rooms were never unloaded");
                sleep_pumping(100);
            }
            uint64_t got = 0;
            double ms = fetch_state(cold_doc, &got, NULL);
            if (got < n * 9 / 10) die("D cold: got %llu bytes", (unsigned long long)got);
            samples_add(&cold, ms);
        }
        qsort(cold.v, cold.n, sizeof(double), cmp_double);
    }
    client_close(seeder);
    close_all(open_clients.v, open_clients.n);
    json_begin();
    json_str("scenario", "bigdoc");
    json_meter(r);
    json_num("board_bytes", n);
    json_num("state_bytes", size);
    json_num("warm_p50_ms", pct_of(&warm, 50, warm.n));
    json_num("warm_max_ms", warm.n ? warm.v[warm.n - 1] : NAN);
    json_num("warm_samples", warm.n);
    if (cold.n) {
        json_num("cold_p50_ms", pct_of(&cold, 50, cold.n));
        json_num("cold_max_ms", cold.v[cold.n - 1]);
        json_num("cold_samples", cold.n);
    }
    json_end();
}

/* ---------------------------------------------------------------------------------------- */
/* scenario durable (E): Tandem's durable acknowledgement latency                             */

static struct {
    editor_t ed;
    uint64_t total, sent, acked, acks, last_count;
    double *send_times;
    samples_t lat;
} E;

static void durable_ack(client_t *c, const uint8_t *p, size_t n, double t) {
    (void)c;
    /* DURABLE: varuint count (frames of this socket committed), varbytes state vector. We
       acknowledge an edit when the state vector covers its clock, as a client would. */
    size_t pos = 0;
    E.last_count = get_varuint(p, n, &pos);
    get_varuint(p, n, &pos); /* the state vector's length */
    uint64_t entries = get_varuint(p, n, &pos);
    E.acks++;
    for (uint64_t i = 0; i < entries && pos < n; i++) {
        uint64_t client = get_varuint(p, n, &pos), clock = get_varuint(p, n, &pos);
        if (client != E.ed.client) continue;
        /* after edit k (0-based) this writer's clock is k + 1 */
        while (E.acked < E.sent && E.acked + 1 <= clock) {
            samples_add(&E.lat, t - E.send_times[E.acked]);
            E.acked++;
        }
    }
}

static void scenario_durable(void) {
    const char *doc = opt_str("doc", "bench-e");
    double rate = opt_num("rate", 1000), seconds = opt_num("seconds", 5), drain = opt_num("drain", 3);
    E.total = (uint64_t)llround(rate * seconds);
    E.send_times = xmalloc(E.total * sizeof(double));
    editor_init(&E.ed, 0, 0);
    client_t *w = xcalloc(1, sizeof(client_t));
    client_init(w, doc, 1);
    w->on_durable = durable_ack;
    client_t *cs[1] = {w};
    open_all(cs, 1, 1, 30000);
    sleep_pumping(300);
    note("E: %llu edits at %.0f/s with durable acknowledgements", (unsigned long long)E.total, rate);
    uint8_t up[128];
    samples_t lag = {0};
    meter_t m = meter_start();
    double t0 = now_ms();
    while (E.sent < E.total) {
        uint64_t due = (uint64_t)((now_ms() - t0) * rate / 1e3) + 1;
        if (due > E.total) due = E.total;
        while (E.sent < due) {
            size_t k = editor_next(&E.ed, E.sent, up);
            double ts = now_ms();
            samples_add(&lag, ts - (t0 + E.sent * 1e3 / rate));
            E.send_times[E.sent] = ts;
            send_sync(w, 2, up, k);
            E.sent++;
        }
        pump(t0 + E.sent * 1e3 / rate - now_ms());
    }
    double deadline = now_ms() + drain * 1e3;
    while (E.acked < E.total && now_ms() < deadline) pump(deadline - now_ms());
    meter_result_t r = meter_stop(m);
    client_close(w);
    json_begin();
    json_str("scenario", "durable");
    json_latency(&E.lat, E.total);
    json_meter(r);
    qsort(lag.v, lag.n, sizeof(double), cmp_double);
    json_num("send_lag_p99_ms", pct_of(&lag, 99, lag.n));
    json_num("rate", rate);
    json_num("sent", E.sent);
    json_num("acked", E.acked);
    json_num("ack_messages", E.acks);
    json_num("last_ack_frame_count", E.last_count);
    json_end();
}

/* probe: can a fresh client sync at all? (bench/run checks a server between scenarios) */
static void scenario_probe(void) {
    client_t c;
    client_init(&c, opt_str("doc", "bench-probe"), 0);
    client_t *cs[1] = {&c};
    open_all(cs, 1, 1, opt_num("timeout", 5) * 1e3);
    json_begin();
    json_str("scenario", "probe");
    json_num("ms", c.synced_at - c.started);
    json_end();
    client_close(&c);
}

/* ---------------------------------------------------------------------------------------- */
/* relay: a "null" sync server, the load generator's ceiling                                  */
/* It answers sync step 1 with an empty step 2 and forwards every update frame, unparsed, to   */
/* the other clients of its room (one write per recipient). No CRDT, no state. Only this load */
/* generator talks to it, so it skips Sec-WebSocket-Accept (its clients do not check it).     */

typedef struct { char path[320]; client_t **peers; int n, cap; } room_t;
static room_t **relay_rooms;
static int relay_nrooms, relay_cap;

static room_t *room_for(const char *path) {
    for (int i = 0; i < relay_nrooms; i++)
        if (strcmp(relay_rooms[i]->path, path) == 0) return relay_rooms[i];
    if (relay_nrooms == relay_cap) {
        relay_cap = relay_cap ? relay_cap * 2 : 64;
        relay_rooms = realloc(relay_rooms, relay_cap * sizeof(room_t *));
    }
    room_t *r = xcalloc(1, sizeof(room_t));
    snprintf(r->path, sizeof r->path, "%s", path);
    relay_rooms[relay_nrooms++] = r;
    return r;
}

static void relay_accept_handshake(client_t *c) {
    char path[320] = "/";
    buf_reserve(&c->in, 1);
    c->in.p[c->in.len] = 0;
    sscanf((char *)c->in.p, "GET %319s", path);
    char *q = strchr(path, '?');
    if (q) *q = 0;
    room_t *r = room_for(path);
    if (r->n == r->cap) { r->cap = r->cap ? r->cap * 2 : 8; r->peers = realloc(r->peers, r->cap * sizeof(client_t *)); }
    r->peers[r->n++] = c;
    c->room = r;
    uint8_t *e = memmem(c->in.p, c->in.len, "\r\n\r\n", 4);
    buf_consume(&c->in, e + 4 - c->in.p);
    c->state = ST_OPEN;
    const char *resp = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                       "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n";
    raw_write(c, (const uint8_t *)resp, strlen(resp));
}

static void relay_message(client_t *c, const uint8_t *m, size_t n) {
    if (n < 2 || m[0] != 0) return;
    if (m[1] == 0) {
        static const uint8_t step2[] = {0, 1, 2, 0, 0};
        send_message(c, step2, sizeof step2);
        return;
    }
    if (m[1] == 1 && n == 5 && m[3] == 0 && m[4] == 0) return; /* empty step 2 */
    room_t *r = c->room;
    uint8_t hdr[16];
    size_t h = frame_header(hdr, n, 2, 0);
    uint8_t *f = xmalloc(h + n);
    memcpy(f, hdr, h);
    memcpy(f + h, m, n);
    for (int i = 0; i < r->n; i++)
        if (r->peers[i] != c) raw_write(r->peers[i], f, h + n);
    free(f);
}

static void relay_drop(client_t *c) {
    room_t *r = c->room;
    if (!r) return;
    for (int i = 0; i < r->n; i++)
        if (r->peers[i] == c) { r->peers[i] = r->peers[--r->n]; break; }
}

static void run_relay(void) {
    int port = (int)opt_num("port", 0);
    int lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    int one = 1;
    setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(lfd, (struct sockaddr *)&a, sizeof a) < 0) die("relay: bind %d: %s", port, strerror(errno));
    listen(lfd, 4096);
    client_t listener = {.fd = lfd, .state = -1};
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = &listener};
    epoll_ctl(epfd, EPOLL_CTL_ADD, lfd, &ev);
    fprintf(stderr, "null relay listening on 127.0.0.1:%d\n", port);
    struct epoll_event evs[512];
    for (;;) {
        int n = epoll_wait(epfd, evs, 512, 1000);
        for (int i = 0; i < n; i++) {
            client_t *c = evs[i].data.ptr;
            if (c == &listener) {
                int fd;
                while ((fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
                    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
                    client_t *nc = xcalloc(1, sizeof(client_t));
                    nc->fd = fd;
                    nc->state = ST_HANDSHAKE;
                    nc->is_server = 1;
                    struct epoll_event e2 = {.events = EPOLLIN, .data.ptr = nc};
                    epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &e2);
                }
                continue;
            }
            if (c->state == ST_CLOSED) continue;
            if (evs[i].events & EPOLLOUT) flush_out(c);
            if (c->state != ST_CLOSED && (evs[i].events & (EPOLLIN | EPOLLERR | EPOLLHUP))) on_readable(c);
            if (c->state == ST_CLOSED) { relay_drop(c); free(c); }
        }
    }
}

/* ---------------------------------------------------------------------------------------- */

static void emit(void) {
    int count = (int)opt_num("count", 1000), w = (int)opt_num("writer", 7);
    editor_t e;
    editor_init(&e, w, (uint32_t)opt_num("client", 12345));
    uint8_t up[128];
    for (int i = 0; i < count; i++) {
        size_t n = editor_next(&e, i, up);
        for (size_t k = 0; k < n; k++) printf("%02x", up[k]);
        putchar('\n');
    }
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: loadgen fanout|throughput|rooms|bigdoc|durable|relay|emit key=value ...\n");
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    for (int i = 2; i < argc && n_args < MAX_ARGS; i++) {
        char *eq = strchr(argv[i], '=');
        if (!eq) continue;
        *eq = 0;
        arg_keys[n_args] = argv[i];
        arg_vals[n_args++] = eq + 1;
    }
    quiet = (int)opt_num("quiet", 0);
    g_port = (int)opt_num("port", 0);
    g_path = opt_str("path", "/{doc}");
    g_hocus = strcmp(opt_str("dialect", "y"), "hocuspocus") == 0;
    g_server_pid = (int)opt_num("server_pid", 0);
    g_server2_pid = (int)opt_num("server2_pid", 0);
    g_redis_pid = (int)opt_num("redis_pid", 0);
    g_clk_tck = sysconf(_SC_CLK_TCK);
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0) { rl.rlim_cur = rl.rlim_max; setrlimit(RLIMIT_NOFILE, &rl); }
    epfd = epoll_create1(0);
    const char *s = argv[1];
    if (strcmp(s, "emit") == 0) { emit(); return 0; }
    if (strcmp(s, "relay") == 0) { run_relay(); return 0; }
    alarm((unsigned)opt_num("time_limit", 300)); /* every run ends by itself */
    if (strcmp(s, "fanout") == 0) scenario_fanout();
    else if (strcmp(s, "throughput") == 0) scenario_throughput();
    else if (strcmp(s, "rooms") == 0) scenario_rooms();
    else if (strcmp(s, "bigdoc") == 0) scenario_bigdoc();
    else if (strcmp(s, "durable") == 0) scenario_durable();
    else if (strcmp(s, "probe") == 0) scenario_probe();
    else die("unknown scenario %s", s);
    return 0;
}
