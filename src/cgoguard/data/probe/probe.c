/* cgoguard's probe helper: loads one shared library (dlopen) or runs one
 * executable under ptrace, and prints what the kernel shows of the process
 * once the loader is done: its mappings, status, limits, personality and, for
 * libraries, the dumpable flag and an optional int32 function's answer.
 * cgoguard parses the output; this program judges nothing.
 *
 *   probe lib PATH [SYMBOL]     dlopen(PATH, RTLD_NOW), call SYMBOL if given, start one
 *                               thread and report where its stack is
 *   probe exe PATH [ARG...]     run PATH, read it at its exit (PTRACE_EVENT_EXIT)
 *
 * It first leaves the network: a new network namespace (in a new user
 * namespace when not privileged). Where the kernel refuses, it says why. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <pthread.h>
#include <unistd.h>

/* The report goes to a private copy of the first standard output; what the probed
   code prints goes to /dev/null, so it can neither mix into nor fake the report. */
static FILE *out;

/* A new network namespace keeps the probed code off the network; a new PID namespace
   makes the first child its init, so every process the probed code starts (even one
   that left the process group with setsid) dies when that child ends. Unprivileged,
   both need a new user namespace. */
static void isolate(void) {
    if (unshare(CLONE_NEWUSER | CLONE_NEWNET | CLONE_NEWPID) == 0) {
        fprintf(out, "network isolated user+net+pid namespaces\n");
        return;
    }
    int user_errno = errno;
    if (unshare(CLONE_NEWNET | CLONE_NEWPID) == 0) {
        fprintf(out, "network isolated net+pid namespaces\n");
        return;
    }
    int net_errno = errno;
    if (unshare(CLONE_NEWNET) == 0) {
        fprintf(out, "network isolated net namespace (no pid namespace: %s)\n", strerror(net_errno));
        return;
    }
    fprintf(out, "network shared unshare(CLONE_NEWUSER|CLONE_NEWNET|CLONE_NEWPID): %s; unshare(CLONE_NEWNET): %s\n",
            strerror(user_errno), strerror(errno));
}

/* Copy a /proc file between begin/end lines; lines are written as read. */
static void section(const char *name, pid_t pid, const char *file) {
    char path[64];
    /* 0: this process (/proc/self: its own pid may be another namespace's number). */
    if (pid == 0) {
        snprintf(path, sizeof path, "/proc/self/%s", file);
    } else {
        snprintf(path, sizeof path, "/proc/%d/%s", (int)pid, file);
    }
    FILE *in = fopen(path, "r");
    fprintf(out, "begin %s\n", name);
    if (in == NULL) {
        fprintf(out, "error %s\n", strerror(errno));
    } else {
        char buffer[4096];
        size_t n;
        while ((n = fread(buffer, 1, sizeof buffer, in)) > 0) {
            for (size_t i = 0; i < n; i++) {
                if (buffer[i] == '\0') buffer[i] = '\n'; /* environ is NUL-separated */
            }
            fwrite(buffer, 1, n, out);
        }
        fclose(in);
    }
    fprintf(out, "\nend %s\n", name);
}

static void report(pid_t pid) {
    section("maps", pid, "maps");
    section("status", pid, "status");
    section("limits", pid, "limits");
    section("environ", pid, "environ");
}

/* A thread's stack comes from the C library's thread allocator (an mmap), as do the
   stacks of the threads a Go c-shared library's runtime starts through cgo. */
static void *stack_address(void *where) {
    volatile char local = 0;
    *(uintptr_t *)where = (uintptr_t)&local;
    return NULL;
}

static void report_thread_stack(void) {
    pthread_t thread;
    uintptr_t where = 0;
    int failed = pthread_create(&thread, NULL, stack_address, &where);
    if (failed != 0) {
        fprintf(out, "thread-stack error %s\n", strerror(failed));
        return;
    }
    pthread_join(thread, NULL);
    fprintf(out, "thread-stack 0x%lx\n", (unsigned long)where);
}

static int probe_library(const char *path, const char *symbol) {
    void *handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (handle == NULL) {
        fprintf(out, "error dlopen %s\n", dlerror());
        return 3;
    }
    if (symbol != NULL) {
        int32_t (*function)(void) = (int32_t(*)(void))dlsym(handle, symbol);
        if (function == NULL) {
            fprintf(out, "function missing\n");
        } else {
            fprintf(out, "function %d\n", (int)function());
        }
    }
    report_thread_stack();
    fprintf(out, "dumpable %d\n", prctl(PR_GET_DUMPABLE, 0, 0, 0, 0));
    fprintf(out, "personality 0x%x\n", (unsigned)personality(0xffffffff));
    report(0);
    return 0;
}

/* fork() with the report flushed first (else both processes would write its buffer);
   a failure is reported. */
static pid_t fork_reported(void) {
    fflush(out);
    pid_t child = fork();
    if (child < 0) fprintf(out, "error fork %s\n", strerror(errno));
    return child;
}

/* Run probe_library in a child and wait for it; a child killed by a signal is reported
   as "killed N". */
static int in_child(const char *path, const char *symbol, int level) {
    pid_t child = fork_reported();
    if (child < 0) return 3;
    if (child == 0) {
        int code = level > 1 ? in_child(path, symbol, level - 1) : probe_library(path, symbol);
        fflush(out);
        _exit(code);
    }
    int status;
    while (waitpid(child, &status, 0) < 0) {
        if (errno != EINTR) {
            fprintf(out, "error wait %s\n", strerror(errno));
            return 3;
        }
    }
    if (WIFSIGNALED(status)) {
        fprintf(out, "killed %d\n", WTERMSIG(status));
        return 3;
    }
    return WEXITSTATUS(status);
}

/* The first child is the PID namespace's init: it only waits, so the library's host is
   an ordinary process (init ignores signals it has no handler for, even SIGSEGV from
   raise()); when init ends, everything the library started ends with it. */
static int probe_library_isolated(const char *path, const char *symbol) {
    return in_child(path, symbol, 2);
}

static int probe_executable(char **argv) {
    pid_t child = fork_reported();
    if (child < 0) return 3;
    if (child == 0) {
        int null_in = open("/dev/null", O_RDONLY);
        if (null_in >= 0) dup2(null_in, 0);
        ptrace(PTRACE_TRACEME, 0, NULL, NULL);
        execv(argv[0], argv);
        _exit(127);
    }
    int status;
    if (waitpid(child, &status, 0) < 0 || !WIFSTOPPED(status)) {
        fprintf(out, "error the program did not start (%s)\n", WIFEXITED(status) ? "exec failed" : "no exec stop");
        return 3;
    }
    fprintf(out, "personality 0x%x\n", (unsigned)personality(0xffffffff));
    long options = PTRACE_O_TRACEEXIT | PTRACE_O_EXITKILL;
    if (ptrace(PTRACE_SETOPTIONS, child, NULL, (void *)options) != 0) {
        fprintf(out, "error ptrace %s\n", strerror(errno));
        kill(child, SIGKILL);
        return 3;
    }
    int deliver = 0;
    for (;;) {
        if (ptrace(PTRACE_CONT, child, NULL, (void *)(long)deliver) != 0) break;
        if (waitpid(child, &status, 0) < 0) break;
        if (WIFEXITED(status) || WIFSIGNALED(status)) break;
        if (status >> 8 == (SIGTRAP | (PTRACE_EVENT_EXIT << 8))) {
            unsigned long code = 0;
            ptrace(PTRACE_GETEVENTMSG, child, NULL, &code);
            /* The exit status as wait(2) would report it: a signal in the low bits. */
            if (WIFSIGNALED((int)code)) {
                fprintf(out, "exit signal %d\n", WTERMSIG((int)code));
            } else {
                fprintf(out, "exit status %d\n", WEXITSTATUS((int)code));
            }
            report(child);
            ptrace(PTRACE_DETACH, child, NULL, NULL);
            waitpid(child, &status, 0);
            return 0;
        }
        deliver = WSTOPSIG(status) == SIGTRAP ? 0 : WSTOPSIG(status);
    }
    fprintf(out, "error the program ended before its exit could be observed\n");
    return 3;
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: probe lib PATH [SYMBOL] | probe exe PATH [ARG...]\n");
        return 2;
    }
    int report_fd = fcntl(1, F_DUPFD_CLOEXEC, 3);
    int null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (report_fd < 0 || null_fd < 0 || dup2(null_fd, 1) < 0 || dup2(null_fd, 2) < 0) return 2;
    out = fdopen(report_fd, "w");
    if (out == NULL) return 2;
    setvbuf(out, NULL, _IOFBF, 1 << 16);
    fprintf(out, "cgoguard-probe 1\n");
    isolate();
    int code = strcmp(argv[1], "lib") == 0 ? probe_library_isolated(argv[2], argc > 3 ? argv[3] : NULL)
                                           : probe_executable(argv + 2);
    fprintf(out, "done\n");
    fflush(out);
    return code;
}
