package main

import (
	"reflect"
	"regexp"
	"strings"
	"testing"
)

// The definition headerFrees keeps: every prototype the one regexp finds, then
// the free-like names among those taking a pointer.
var wholePrototype = regexp.MustCompile(`\b([A-Za-z_]\w*)\s*\(([^;{}()]*)\)\s*;`)

func referenceFrees(text string) []string {
	found := []string{}
	for _, m := range wholePrototype.FindAllStringSubmatch(text, -1) {
		if freeish.MatchString(m[1]) && strings.Contains(m[2], "*") {
			found = append(found, m[1])
		}
	}
	return found
}

var tricky = []string{
	"void lib_free(lib_t *p);",
	"void lib_free (lib_t *p) ;\nvoid keep(int *p);",
	"void lib_free(int n);",                          // no pointer
	"void lib_free(lib_t *p) { free(p); }",           // a definition, not a prototype
	"void 9free(char *p); void x9free(char *p);",     // a word cannot start with a digit
	"#define F(x) x\nvoid FreeAll(\n  void *a,\n  void *b\n)\n;",
	"int (*cb)(void *); void destroy_it(void *x);",
	"void releaſe(void *p); void Release_it(void *p);", // only ASCII words are names
	"free(p); dealloc(q)",                             // no ';' after the last call
	"void nested_free(f(x) *p); void ok_dispose(a *p, b c);",
	"é_free(void *p); _delete(void*p);",
	"",
	"free",
}

func TestHeaderFreesMatchesThePrototypeRegexp(t *testing.T) {
	for _, text := range tricky {
		if got, want := headerFrees(text), referenceFrees(text); !reflect.DeepEqual(got, want) {
			t.Errorf("headerFrees(%q) = %q, want %q", text, got, want)
		}
	}
	all := strings.Join(tricky, "\n")
	if got, want := headerFrees(all), referenceFrees(all); !reflect.DeepEqual(got, want) {
		t.Errorf("joined: %q, want %q", got, want)
	}
}

// A large C file declares many functions and frees few: the cost must follow
// the free-like names, not every prototype (this allocated a slice of
// submatches per prototype, 2,000 here, before).
func TestHeaderFreesWorksOnlyOnFreeLikeNames(t *testing.T) {
	var b strings.Builder
	for i := 0; i < 2000; i++ {
		b.WriteString("GLFWAPI void glfwSetWindowThing(GLFWwindow *window, int value);\n")
	}
	b.WriteString("void glfwFreeThing(void *p);\n")
	text := b.String()
	if got := headerFrees(text); !reflect.DeepEqual(got, []string{"glfwFreeThing"}) {
		t.Fatalf("headerFrees = %q", got)
	}
	allocs := testing.AllocsPerRun(5, func() { headerFrees(text) })
	if allocs > 50 {
		t.Errorf("headerFrees allocated %.0f times for one free-like prototype among 2,001", allocs)
	}
}
