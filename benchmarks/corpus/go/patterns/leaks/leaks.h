#ifndef LEAKS_H
#define LEAKS_H
int emit_event(const char *name, int code);
int emit_event_owned(char *name, int code);
int store_bytes(const void *buf, int n);
void leaks_free(char *p);
#endif
