/* cgoguard's stand-in for the compiler's <stddef.h>, so that headers parse
   without a C compiler installed. Built from clang's predefined macros. */
#ifndef CGOGUARD_STDDEF_H
#define CGOGUARD_STDDEF_H
typedef __SIZE_TYPE__ size_t;
typedef __PTRDIFF_TYPE__ ptrdiff_t;
typedef __WCHAR_TYPE__ wchar_t;
typedef struct { long long __ll; long double __ld; } max_align_t;
#define NULL ((void *)0)
#define offsetof(type, member) __builtin_offsetof(type, member)
#endif
