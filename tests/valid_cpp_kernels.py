"""Small valid hand-written PTO kernels, one C++ construct each, for tests/cpp/test_no_refusal.py.

Every kernel compiles with g++ 12 (-std=c++2b -fsyntax-only) against pto-isa's host build (the
test checks it when g++ and the checkout are present). Each one spells the construct a kernel
engineer writes (lambdas, `if constexpr`, attributes, raw strings, directives, odd spacing, line
endings...) next to PIPE_V barriers whose fate is known:

  `// GUARD` marks a barrier between two ops on overlapping tiles (`a` at UB 0 and `c` at UB
  4096, both 8192 bytes): a real conflict, so it must stay, however the construct is read;
  `// FREE`  marks a barrier between ops on disjoint tiles (`a` and `b` at UB 65536): the proof
  may remove it, or keep it when the construct is read as Unknown.

No other barrier may go. The construct often hides the conflicting op itself (a lambda's call,
a macro, a case label), so reading it too optimistically removes a GUARD.
"""
from __future__ import annotations

HEAD = "#include <pto/pto-inst.hpp>\nusing namespace pto;\n"
T16 = "Tile<TileType::Vec, float, 16, 128, BLayout::RowMajor, 16, 128>"
ENTRY = 'extern "C" __global__ AICORE void kernel_entry(__gm__ float* x, int64_t n)'
GUARD = "pipe_barrier(PIPE_V);  // GUARD"
FREE = "pipe_barrier(PIPE_V);  // FREE"
TILES = f"""  {T16} a;
  TASSIGN(a, 0x0);
  {T16} c;
  TASSIGN(c, 4096);
  {T16} b;
  TASSIGN(b, 65536);
  pipe_barrier(PIPE_ALL);
"""
# The plain conflict and the plain disjoint pair, after the construct (a PIPE_ALL before them, a
# guard between them: the TMUL of c and the TADD of a overlap too; only a loop in the construct
# may leave a race of its own, across its back-edge).
CONFLICT = f"  pipe_barrier(PIPE_ALL);\n  TADD(a, a, a);\n  {GUARD}\n  TMUL(c, c, c);\n  {GUARD}\n"
DISJOINT = f"  TADD(a, a, a);\n  {FREE}\n  TMUL(b, b, b);\n"


def kernel(body: str, before: str = "", after: str = "", head: str = HEAD) -> str:
    """A kernel: ``before`` at file scope, the entry with the three tiles, ``body``, the plain
    pairs, ``after`` at file scope."""
    return (head + before + ENTRY + " {\n" + TILES + body + CONFLICT + DISJOINT
            + "  pipe_barrier(PIPE_ALL);\n}\n" + after)


def helper(body: str, params: str = "") -> str:
    """A file-scope helper `work` over the three tiles (passed by reference)."""
    return (f"static AICORE inline void work({T16} &a, {T16} &b, {T16} &c{params}) {{\n"
            f"{body}}}\n")


LONG_SUM = " + ".join(["1"] * 6000)

KERNELS: dict[str, str] = {
    # -- lambdas ------------------------------------------------------------------------------
    "lambda hides the conflicting op":
        kernel(f"  auto later = [&]() {{ TMUL(c, c, c); }};\n  TADD(a, a, a);\n  {GUARD}\n  later();\n"),
    "barrier inside a lambda":
        kernel(f"  auto step = [&]() {{\n    TADD(a, a, a);\n    {GUARD}\n    TMUL(c, c, c);\n  }};\n  step();\n"),
    "immediately invoked lambda":
        kernel(f"  TADD(a, a, a);\n  {GUARD}\n  [&] {{ TMUL(c, c, c); }}();\n"),
    "generic lambda with auto parameter":
        kernel(f"  auto run = [](auto &t) {{ TMUL(t, t, t); }};\n  TADD(a, a, a);\n  {GUARD}\n  run(c);\n"),
    "lambda with init capture and mutable":
        kernel(f"  auto count = [k = 0]() mutable {{ return ++k; }};\n  (void)count();\n"
               f"  TADD(a, a, a);\n  {GUARD}\n  TMUL(c, c, c);\n"),
    # -- declarations and statements ------------------------------------------------------------
    "structured binding":
        kernel("  int pair[2] = {1, 2};\n  auto [p, q] = pair;\n  (void)p; (void)q;\n"),
    "structured binding by reference":
        kernel("  int pair[2] = {1, 2};\n  auto &[p, q] = pair;\n  p += q;\n"),
    "range-for around a barrier":
        kernel(f"  int rounds[3] = {{1, 2, 3}};\n  for (int r : rounds) {{\n    (void)r;\n"
               f"    TADD(a, a, a);\n    {GUARD}\n    TMUL(c, c, c);\n  }}\n"),
    "range-for with auto reference":
        kernel("  int rounds[2] = {1, 2};\n  for (auto &r : rounds) { r += 1; }\n"),
    "if constexpr":
        kernel(f"  if constexpr (sizeof(float) == 4) {{\n    TADD(a, a, a);\n  }} else {{\n    TADD(b, b, b);\n  }}\n"
               f"  {GUARD}\n  TMUL(c, c, c);\n"),
    "if with init statement":
        kernel(f"  if (int64_t k = n; k > 0) {{\n    TADD(a, a, a);\n  }}\n  {GUARD}\n  TMUL(c, c, c);\n"),
    "switch with barrier in a case":
        kernel(f"  switch (n) {{\n  case 0:\n    TADD(a, a, a);\n    {GUARD}\n    TMUL(c, c, c);\n    break;\n"
               f"  case 1:\n    [[fallthrough]];\n  default:\n    break;\n  }}\n"),
    "switch hides the conflicting op in a case":
        kernel(f"  TADD(a, a, a);\n  {GUARD}\n  switch (n) {{\n  case 0: TMUL(c, c, c); break;\n  default: break;\n  }}\n"),
    "switch with init statement":
        kernel("  switch (int64_t k = n * 2; k) {\n  case 2: { TMUL(c, c, c); break; }\n  default: break;\n  }\n"),
    "do while around a barrier":
        kernel(f"  int64_t left = n;\n  do {{\n    TADD(a, a, a);\n    {GUARD}\n    TMUL(c, c, c);\n"
               f"  }} while (--left > 0);\n"),
    "while true with break":
        kernel(f"  while (true) {{\n    TADD(a, a, a);\n    {GUARD}\n    TMUL(c, c, c);\n    break;\n  }}\n"),
    "for ever with continue":
        kernel(f"  for (int64_t i = 0;; ++i) {{\n    if (i < 2) continue;\n    TADD(a, a, a);\n    {GUARD}\n"
               f"    TMUL(c, c, c);\n    if (i > 3) break;\n  }}\n"),
    "goto skips the first op":
        kernel(f"  if (n > 0) goto skip;\n  TADD(a, a, a);\nskip:\n  {GUARD}\n  TMUL(c, c, c);\n"),
    "barrier after a label in a block":
        kernel(f"  {{\n    TADD(a, a, a);\n    if (n > 0) goto done;\n    TADD(b, b, b);\n  done:\n"
               f"    {GUARD}\n    TMUL(c, c, c);\n  }}\n"),
    "backward goto loop":
        kernel(f"  int64_t left = n;\nagain:\n  TADD(a, a, a);\n  {GUARD}\n  TMUL(c, c, c);\n"
               f"  if (--left > 0) goto again;\n"),
    "likely and unlikely attributes":
        kernel(f"  if (n > 0) [[likely]] {{\n    TADD(a, a, a);\n  }} else [[unlikely]] {{\n    TADD(c, c, c);\n  }}\n"
               f"  {GUARD}\n  TMUL(c, c, c);\n"),
    "gnu attribute on a local":
        kernel("  __attribute__((unused)) int spare = 0;\n  int aligned_value __attribute__((aligned(32))) = 1;\n"
               "  (void)aligned_value;\n"),
    "alignas local":
        kernel("  alignas(64) int scratch[4] = {};\n  (void)scratch;\n"),
    "static_assert in the body":
        kernel("  static_assert(sizeof(float) == 4, \"float is 4 bytes\");\n"),
    "decltype of a tile":
        kernel(f"  using Same = decltype(a);\n  Same d;\n  TASSIGN(d, 0x0);\n  TADD(d, d, d);\n  {GUARD}\n  TMUL(c, c, c);\n"),
    "decltype of a scalar":
        kernel("  decltype(n) twice = n * 2;\n  (void)twice;\n"),
    "brace initialised locals":
        kernel("  int q{3};\n  int64_t r = {4};\n  (void)q; (void)r;\n"),
    "static local":
        kernel("  static int calls = 0;\n  ++calls;\n"),
    "local struct with a member function":
        kernel("  struct Step {\n    int k = 1;\n    int next() { return k + 1; }\n  };\n  Step s;\n  (void)s.next();\n"),
    "local struct whose member runs vector work":
        kernel(f"  struct Later {{\n    static void go({T16} &t) {{ TMUL(t, t, t); }}\n  }};\n"
               f"  TADD(a, a, a);\n  {GUARD}\n  Later::go(c);\n"),
    "ternary and comma expressions":
        kernel("  int64_t k = n > 0 ? (n, 1) : 2;\n  (void)k;\n"),
    "empty statements":
        kernel("  ;;\n  {}\n"),
    "try and catch":
        kernel(f"  try {{\n    TADD(a, a, a);\n    {GUARD}\n    TMUL(c, c, c);\n  }} catch (...) {{\n  }}\n"),
    "inline asm barrier":
        kernel(f"  TADD(a, a, a);\n  {GUARD}\n  asm volatile(\"\" ::: \"memory\");\n  TMUL(c, c, c);\n"),
    "builtin expect":
        kernel(f"  if (__builtin_expect(n > 0, 1)) {{\n    TADD(a, a, a);\n  }}\n  {GUARD}\n  TMUL(c, c, c);\n"),
    "gnu statement expression":
        kernel("  int64_t k = ({ int64_t t = n; t + 1; });\n  (void)k;\n"),
    "qualified pto call":
        kernel(f"  pto::TADD(a, a, a);\n  {GUARD}\n  ::pto::TMUL(c, c, c);\n"),
    "odd spacing around a barrier":
        kernel("  TADD ( a , a , a ) ;\n  pipe_barrier ( PIPE_V ) ;  // GUARD\n  TMUL( c,c,c );\n"),
    "barrier split across lines":
        kernel("  TADD(a, a, a);\n  pipe_barrier(  // GUARD\n      PIPE_V);\n  TMUL(c, c, c);\n"),
    "pipe through a constexpr":
        kernel("  constexpr auto vec = PIPE_V;\n  TADD(a, a, a);\n  pipe_barrier(vec);  // GUARD\n  TMUL(c, c, c);\n"),
    "char literal braces":
        kernel("  char open = '{';\n  char close = '}';\n  const char *text = \"} { ; pipe_barrier(PIPE_V);\";\n"
               "  (void)open; (void)close; (void)text;\n"),
    "escapes and unicode in strings":
        kernel("  const char *s = \"\\u00e9 \\t \\\" \\\\ \\x41 \\101 \\n\";\n  const char *u = \"é – ü\";\n"
               "  const char16_t *w = u\"ok\";\n  const char8_t *e = u8\"ok\";\n  char32_t z = U'z';\n"
               "  wchar_t l = L'x';\n  (void)s; (void)u; (void)w; (void)e; (void)z; (void)l;\n"),
    "number literal forms":
        kernel("  double h = 0x1p3;\n  float f = 1e-3f;\n  int bits = 0b1010;\n  unsigned long long big = 10ull;\n"
               "  char letter = '\\x41';\n  (void)h; (void)f; (void)bits; (void)big; (void)letter;\n"),
    "comments holding barriers":
        kernel("  /* pipe_barrier(PIPE_V); } { */\n  // pipe_barrier(PIPE_V); }\n  // a /* in a line comment\n"),
    "very long line":
        kernel(f"  int64_t k = {LONG_SUM};\n  (void)k;\n"),
    "tabs":
        kernel(f"\tTADD(a,\ta,\ta);\n\t{GUARD}\n\tTMUL(c, c, c);\n").replace("  ", "\t"),
    "deep nesting":
        kernel("".join("  " * i + "{\n" for i in range(1, 41)) + f"  TADD(a, a, a);\n  {GUARD}\n  TMUL(c, c, c);\n"
               + "".join("  " * i + "}\n" for i in range(40, 0, -1))),
    "pragma before a loop":
        kernel(f"#pragma GCC unroll 4\n  for (int i = 0; i < 4; ++i) {{\n    TADD(a, a, a);\n    {GUARD}\n"
               f"    TMUL(c, c, c);\n  }}\n"),
    "_Pragma in the body":
        kernel("  _Pragma(\"GCC diagnostic push\")\n  _Pragma(\"GCC diagnostic ignored \\\"-Wunused\\\"\")\n"
               "  int spare = 0;\n  _Pragma(\"GCC diagnostic pop\")\n  (void)spare;\n"),
    "define and undef in the body":
        kernel(f"#define STEP(t) TMUL(t, t, t)\n  TADD(a, a, a);\n  {GUARD}\n  STEP(c);\n#undef STEP\n"),
    "barrier in a macro":
        kernel("  TADD(a, a, a);\n  SYNC_V;  // GUARD\n  TMUL(c, c, c);\n",
               before="#define SYNC_V pipe_barrier(PIPE_V)\n"),
    "macro with line continuations":
        kernel(f"  TADD(a, a, a);\n  {GUARD}\n  MUL_ALL(c);\n",
               before="#define MUL_ALL(t) \\\n    do { \\\n      TMUL(t, t, t); \\\n    } while (0)\n"),
    "comment inside a macro":
        kernel(f"  TADD(a, a, a);\n  {GUARD}\n  TMUL(c, c, c) /* the product */;\n",
               before="#define SCALE /* a comment */ 2 // and another\nstatic_assert(SCALE == 2);\n"),
    "variadic macro with __VA_OPT__":
        kernel(f"  TADD(a, a, a);\n  {GUARD}\n  CALL(TMUL, c, c, c);\n",
               before="#define CALL(op, ...) op(__VA_ARGS__ __VA_OPT__())\n"),
    "stringify and paste":
        kernel("  const char *name = NAME_OF(kernel);\n  int JOIN(val, ue) = 1;\n  (void)name; (void)value;\n",
               before="#define NAME_OF(x) #x\n#define JOIN(x, y) x##y\n"),
    "builtin macros":
        kernel("  int line = __LINE__;\n  const char *file = __FILE__;\n  int counter = __COUNTER__;\n"
               "  (void)line; (void)file; (void)counter;\n"),
    "#if in the body around a barrier":
        kernel(f"  TADD(a, a, a);\n#if defined(__COSTMODEL)\n  {GUARD}\n#else\n  {GUARD}\n#endif\n  TMUL(c, c, c);\n"),
    # -- file scope -----------------------------------------------------------------------------
    "constexpr function address":
        kernel(f"  {T16} d;\n  TASSIGN(d, offset_of_d());\n  TADD(d, d, d);\n  {GUARD}\n  TMUL(c, c, c);\n",
               before="constexpr int64_t offset_of_d() { return 4096 + 4096; }\n"),
    "consteval function":
        kernel("  constexpr int64_t k = kilo(4);\n  (void)k;\n",
               before="consteval int64_t kilo(int64_t v) { return v * 1024; }\n"),
    "enum class":
        kernel("  Mode m = Mode::Fast;\n  if (m == Mode::Slow) { return; }\n",
               before="enum class Mode : uint8_t { Fast = 1, Slow = 2 };\n"),
    "unscoped enum with underlying type and using enum":
        kernel("  using enum Colour;\n  Colour k = Red;\n  (void)k;\n",
               before="enum Colour : int { Red, Green };\n"),
    "nested namespace":
        kernel("  int64_t k = util::math::twice(n);\n  (void)k;\n",
               before="namespace util::math {\nconstexpr int64_t twice(int64_t v) { return 2 * v; }\n}  // namespace util::math\n"),
    "inline nested namespace":
        kernel("  (void)lib::v1::one();\n",
               before="namespace lib {\ninline namespace v1 {\ninline int one() { return 1; }\n}\n}\n"),
    "anonymous namespace helper":
        kernel(f"  TADD(a, a, a);\n  {GUARD}\n  later(c);\n",
               before=f"namespace {{\nAICORE inline void later({T16} &t) {{ TMUL(t, t, t); }}\n}}  // namespace\n"),
    "using declaration":
        kernel("  (void)one();\n", before="namespace util {\ninline int one() { return 1; }\n}\nusing util::one;\n"),
    "typedef of a function pointer":
        kernel("  Callback cb = nullptr;\n  typedef int (*Local)(int);\n  Local l = nullptr;\n  (void)cb; (void)l;\n",
               before="typedef void (*Callback)(int);\nusing Handler = void (*)(int64_t);\n"),
    "template with default arguments":
        kernel(f"  TADD(a, a, a);\n  {GUARD}\n  later<>(c);\n",
               before=f"template <typename T = float, int N = 16>\nAICORE inline void later({T16} &t) {{ TMUL(t, t, t); }}\n"),
    "variadic template with a fold":
        kernel(f"  TADD(a, a, a);\n  {GUARD}\n  mul_all(c, b);\n",
               before="template <typename... Ts>\nAICORE inline void mul_all(Ts &...ts) { (TMUL(ts, ts, ts), ...); }\n"
                      "template <typename... Ts>\nconstexpr int count_of() { return sizeof...(Ts); }\n"),
    "auto non-type template parameter":
        kernel(f"  TADD(a, a, a);\n  {GUARD}\n  at_offset<4096>(c);\n",
               before=f"template <auto OFF>\nAICORE inline void at_offset({T16} &t) {{ TMUL(t, t, t); }}\n"),
    "requires clause":
        kernel(f"  TADD(a, a, a);\n  {GUARD}\n  later(c);\n",
               before="template <typename T>\n  requires(sizeof(T) > 4)\nAICORE inline void later(T &t) { TMUL(t, t, t); }\n"),
    "concept":
        kernel(f"  TADD(a, a, a);\n  {GUARD}\n  later(c);\n",
               before="template <typename T>\nconcept Big = sizeof(T) > 4;\n"
                      "template <Big T>\nAICORE inline void later(T &t) { TMUL(t, t, t); }\n"),
    "abbreviated function template":
        kernel(f"  TADD(a, a, a);\n  {GUARD}\n  later(c);\n",
               before="AICORE inline void later(auto &t) { TMUL(t, t, t); }\n"),
    "auto return type":
        kernel("  (void)twice(n);\n", before="static AICORE auto twice(int64_t v) { return v * 2; }\n"),
    "trailing return type":
        kernel("  (void)twice(n);\n", before="static AICORE auto twice(int64_t v) -> int64_t { return v * 2; }\n"),
    "nodiscard noexcept and maybe_unused":
        kernel("  (void)pick(1, 2);\n",
               before="[[nodiscard]] static inline int pick([[maybe_unused]] int x, int y) noexcept { return y; }\n"),
    "deprecated attribute":
        kernel("", before="[[deprecated(\"use another\")]] static inline int old_api() { return 1; }\n"),
    "gnu attributes on a helper":
        kernel(f"  TADD(a, a, a);\n  {GUARD}\n  later(c);\n",
               before=f"static __attribute__((always_inline)) inline AICORE void later({T16} &t) {{ TMUL(t, t, t); }}\n"),
    "static_assert at file scope":
        kernel("", before="static_assert(sizeof(int64_t) == 8);\nstatic_assert(true, \"always\");\n"),
    "inline constexpr and constinit variables":
        kernel("  (void)kSlots;\n", before="inline constexpr int kSlots = 2;\nconstinit int kCounter = 0;\n"),
    "alias template":
        kernel(f"  VecTile<float> d;\n  TASSIGN(d, 0x0);\n  TADD(d, d, d);\n  {GUARD}\n  TMUL(c, c, c);\n",
               before="template <typename T>\nusing VecTile = Tile<TileType::Vec, T, 16, 128, BLayout::RowMajor, 16, 128>;\n"),
    "user-defined literal":
        kernel(f"  {T16} d;\n  TASSIGN(d, 4_KiB);\n  TADD(d, d, d);\n  {GUARD}\n  TMUL(a, a, a);\n",
               before="constexpr unsigned long long operator\"\"_KiB(unsigned long long v) { return v * 1024; }\n"),
    "raw string literal":
        kernel("  const char *doc = R\"doc(a \" quote } and pipe_barrier(PIPE_V); )doc\";\n  (void)doc;\n"),
    "digit separators":
        kernel(f"  {T16} d;\n  TASSIGN(d, 4'096);\n  TADD(d, d, d);\n  {GUARD}\n  TMUL(a, a, a);\n"),
    "raw string holding a comment opener":
        kernel("  const char *doc = R\"(/* not a comment)\";\n  (void)doc;\n"),
    "raw string over several lines":
        kernel("  const char8_t *doc = u8R\"x(line one\n} line two \" {\n)x\";\n  (void)doc;\n"),
    "raw string with balanced quotes":
        kernel("  const char *doc = R\"(say \"hi\")\";\n  (void)doc;\n"),
    "quote characters in literals":
        kernel("  char q = '\"';\n  char s = '\\'';\n  const char *t = \"/* // \";\n  (void)q; (void)s; (void)t;\n"),
    "digit separators in hex and in a directive":
        kernel("  int64_t mask = 0xFF'FF;\n  (void)mask;\n", before="#if 1'000 > 2\n#define BIG 1\n#endif\n"),
    "digit separator before a character literal":
        kernel("  int64_t k = 1'000;\n  char q = 'x';\n  (void)k; (void)q;\n"),
    "__has_include with a macro operand":
        kernel("", before="#define PTO_HDR <pto/pto-inst.hpp>\n#if __has_include(PTO_HDR)\n#define HAVE 1\n#endif\n"),
    "string literal operator":
        kernel("  (void)\"abc\"_len;\n",
               before="constexpr unsigned long long operator\"\"_len(const char *, unsigned long n) { return n; }\n"),
    "extern C block":
        kernel("  (void)plain_c(1);\n", before="extern \"C\" {\nint plain_c(int v) { return v + 1; }\n}\n"),
    "struct with operator overload":
        kernel("  Pair p{1, 2};\n  Pair q = p + p;\n  (void)q;\n",
               before="struct Pair {\n  int x, y;\n  Pair operator+(const Pair &o) const { return {x + o.x, y + o.y}; }\n};\n"),
    "friend function defined in a class":
        kernel("  Box box;\n  (void)peek(box);\n",
               before="class Box {\n  int v_ = 3;\n  friend int peek(const Box &b) { return b.v_; }\n};\n"),
    "class with member functions and default member initialisers":
        kernel("  Counter k;\n  k.bump();\n",
               before="class Counter {\npublic:\n  void bump() { value += step; }\n  int get() const { return value; }\n"
                      "private:\n  int value = 0;\n  int step{1};\n};\n"),
    "functor struct":
        kernel(f"  TADD(a, a, a);\n  {GUARD}\n  Later{{}}(c);\n",
               before=f"struct Later {{\n  AICORE void operator()({T16} &t) const {{ TMUL(t, t, t); }}\n}};\n"),
    "union and bit-fields":
        kernel("  Bits bits{};\n  bits.low = 1;\n  Word w{};\n  w.i = 1;\n  (void)bits; (void)w;\n",
               before="struct Bits { unsigned low : 3; unsigned high : 5; };\nunion Word { int i; float f; };\n"),
    "template specialization":
        kernel("  (void)Width<float>::value;\n",
               before="template <typename T> struct Width { static constexpr int value = 0; };\n"
                      "template <> struct Width<float> { static constexpr int value = 4; };\n"),
    "explicit instantiation":
        kernel(f"  TADD(a, a, a);\n  {GUARD}\n  later<1>(c);\n",
               before=f"template <int K>\nAICORE inline void later({T16} &t) {{ TMUL(t, t, t); }}\n"
                      f"template void later<1>({T16} &);\n"),
    "function declared first, defined after the kernel":
        kernel(f"  TADD(a, a, a);\n  {GUARD}\n  later(c);\n",
               before=f"AICORE inline void later({T16} &t);\n",
               after=f"AICORE inline void later({T16} &t) {{ TMUL(t, t, t); }}\n"),
    "helper with a barrier taking tiles by reference":
        kernel("  work(a, b, c);\n",
               before=helper(f"  TADD(a, a, a);\n  {GUARD}\n  TMUL(c, c, c);\n")),
    "helper with a maybe_unused parameter":
        kernel("  work(a, b, c, 1);\n",
               before=helper(f"  TADD(a, a, a);\n  {GUARD}\n  TMUL(c, c, c);\n", ", [[maybe_unused]] int unused")),
    "template disambiguators":
        kernel("  (void)Holder<int>::template get<2>();\n",
               before="template <typename T> struct Holder {\n  template <int K> static constexpr int get() { return K; }\n"
                      "  using type = typename std::remove_cv<T>::type;\n};\n"),
    "designated initialisers":
        kernel("  Point p{.x = 1, .y = 2};\n  (void)p;\n", before="struct Point { int x; int y; };\n"),
    "K&R-ish layout":
        kernel(f"  TADD(a, a, a);\n  {GUARD}\n  later\n  (\n    c\n  )\n  ;\n",
               before=f"static\nAICORE\ninline\nvoid\nlater\n(\n  {T16}\n  &\n  t\n)\n{{\n  TMUL(t, t, t);\n}}\n"),
    # -- structure the parser might not expect -------------------------------------------------
    "#define inside a call":
        kernel(f"  TADD(a,\n#define SECOND a\n       SECOND, a);\n  {GUARD}\n  TMUL(c, c, c);\n"),
    "#if groups inside a call":
        kernel(f"  TADD(a,\n#ifdef NOT_DEFINED_ANYWHERE\n       b,\n#else\n       a,\n#endif\n       a);\n"
               f"  {GUARD}\n  TMUL(c, c, c);\n"),
    "#if groups as an if body":
        kernel(f"  if (n > 0)\n#ifdef NOT_DEFINED_ANYWHERE\n    TADD(b, b, b);\n#else\n    TADD(a, a, a);\n#endif\n"
               f"  {GUARD}\n  TMUL(c, c, c);\n"),
    "macro statement without a semicolon":
        kernel(f"  TADD(a, a, a);\n  SYNC_V()\n  TMUL(c, c, c);\n  {GUARD}\n  TADD(a, a, a);\n",
               before="#define SYNC_V() pipe_barrier(PIPE_V);\n"),
    "macro that defines a function at file scope":
        kernel("  (void)from_macro();\n", before="#define DEFINE_GETTER(name, value) static inline int name() { return value; }\n"
                                                "DEFINE_GETTER(from_macro, 3)\nDEFINE_GETTER(other, 4)\n"),
    "macros that open and close a block":
        kernel(f"  BEGIN_SCOPE\n    TADD(a, a, a);\n    {GUARD}\n    TMUL(c, c, c);\n  END_SCOPE\n",
               before="#define BEGIN_SCOPE {\n#define END_SCOPE }\n"),
    "macro that opens a loop":
        kernel(f"  FOR_EACH_ROUND(i) {{\n    TADD(a, a, a);\n    {GUARD}\n    TMUL(c, c, c);\n  }}\n",
               before="#define FOR_EACH_ROUND(i) for (int i = 0; i < 2; ++i)\n"),
    "if else chains without braces":
        kernel(f"  if (n == 0)\n    TADD(a, a, a);\n  else if (n == 1)\n    TADD(b, b, b);\n  else\n    TADD(a, a, a);\n"
               f"  {GUARD}\n  TMUL(c, c, c);\n"),
    "loop bodies without braces":
        kernel(f"  for (int i = 0; i < 2; ++i)\n    TADD(a, a, a);\n  while (false)\n    TADD(b, b, b);\n"
               f"  {GUARD}\n  TMUL(c, c, c);\n"),
    "lambda argument with braces":
        kernel("  apply(c, [&](auto &t) { TMUL(t, t, t); });\n",
               before="template <typename T, typename F>\nAICORE inline void apply(T &t, F f) { f(t); }\n"),
    "local variable of a file-scope class with a constructor":
        kernel("  Holder h(3);\n  (void)h.get();\n",
               before="class Holder {\npublic:\n  explicit Holder(int v) : v_(v) {}\n  ~Holder() {}\n  int get() const;\n"
                      "private:\n  int v_;\n};\ninline int Holder::get() const { return v_; }\n"),
    "file-scope arrays and tables":
        kernel("  (void)kTable[1];\n", before="static constexpr int kTable[] = {1, 2, 3};\nstatic const int kGrid[2][2] = {{1, 2}, {3, 4}};\n"),
    "declarations in namespace pto":
        kernel("  (void)pto::my_helper();\n", before="namespace pto {\ninline int my_helper() { return 1; }\n}  // namespace pto\n"),
    "kernel entry inside a namespace":
        HEAD + "namespace kernels {\n" + kernel("", head="") + "}  // namespace kernels\n",
    "function-try-block":
        kernel("", before="static inline int guarded() try { return 1; } catch (...) { return 0; }\n"),
    "using namespace in the body":
        kernel(f"  using namespace pto;\n  TADD(a, a, a);\n  {GUARD}\n  TMUL(c, c, c);\n"),
    "function taking a lambda as a default argument":
        kernel("  (void)call_it();\n", before="static inline int call_it(int (*f)() = [] { return 1; }) { return f(); }\n"),
    "out-of-class member template definition":
        kernel("  Runner<1> r;\n  r.go(c);\n",
               before=f"template <int K>\nstruct Runner {{\n  AICORE void go({T16} &t);\n}};\n"
                      f"template <int K>\nAICORE void Runner<K>::go({T16} &t) {{ TMUL(t, t, t); }}\n"),
    "operator function at file scope":
        kernel("  Pair p{1, 2};\n  (void)(p == p);\n",
               before="struct Pair { int x, y; };\ninline bool operator==(const Pair &l, const Pair &r) { return l.x == r.x && l.y == r.y; }\n"),
    "conversion operator and explicit bool":
        kernel("  Flag f;\n  if (f) { (void)static_cast<int>(f); }\n",
               before="struct Flag {\n  explicit operator bool() const { return true; }\n  operator int() const { return 1; }\n};\n"),
    "attribute before the kernel entry":
        kernel("").replace('extern "C" __global__', 'extern "C" [[gnu::noinline]] __global__'),
    "__attribute__ after the parameter list":
        kernel("  (void)helper_attr(1);\n", before="static inline int helper_attr(int v) __attribute__((always_inline));\n"
                                                  "static inline int helper_attr(int v) { return v; }\n"),
    "semicolon after a function body":
        kernel("", before="static inline int spare() { return 0; };\n"),
    "empty declaration at file scope":
        kernel("", before=";\n"),
    "static member defined out of class":
        kernel("  (void)Config::slots;\n", before="struct Config { static int slots; };\nint Config::slots = 2;\n"),
    "nested class member function defined outside":
        kernel("  Outer::Inner in;\n  (void)in.value();\n",
               before="struct Outer { struct Inner { int value() const; }; };\nint Outer::Inner::value() const { return 7; }\n"),
    "constructor and destructor defined outside":
        kernel("  Guarded g;\n", before="struct Guarded { Guarded(); ~Guarded(); };\nGuarded::Guarded() {}\nGuarded::~Guarded() {}\n"),
    "asm statement at file scope":
        kernel("", before="asm(\".globl ptofix_marker\");\n"),
    "template template parameter":
        kernel("  Wrap<Box1> w;\n  (void)w;\n",
               before="template <typename T> struct Box1 { T v; };\ntemplate <template <typename> class C> struct Wrap { C<int> inner; };\n"),
    "comparison with a template-looking less-than":
        kernel(f"  if (n < 2 && 3 > n) {{\n    TADD(a, a, a);\n  }}\n  {GUARD}\n  TMUL(c, c, c);\n"),
    "shift in a template argument":
        kernel("  (void)Width2<(1 >> 0)>::value;\n", before="template <int V> struct Width2 { static constexpr int value = V; };\n"),
    "apostrophe in a skipped group":
        kernel("", before="#if 0\nThis isn't code, and it's never compiled.\n#endif\n"),
    "unterminated string in a skipped group":
        kernel("", before="#ifdef NOT_DEFINED_ANYWHERE\nconst char *s = \"never closed;\n#endif\n"),
    "apostrophe in a skipped group inside the body":
        kernel(f"#if 0\n  don't compile this\n#endif\n  TADD(a, a, a);\n  {GUARD}\n  TMUL(c, c, c);\n"),
    "#if with long suffixes":
        kernel("", before="#if __cplusplus >= 201703L && 0x10UL > 1u && 10ll == 10LL\n#define MODERN 1\n#endif\n"),
    "#if with a short-circuited division by zero":
        kernel("", before="#if defined(NOT_DEFINED_ANYWHERE) && (10 / NOT_DEFINED_ANYWHERE > 1)\n#define NEVER 1\n#endif\n"
                          "#if 0 && (1 / 0)\n#endif\n#if 1 || (1 % 0)\n#define ALWAYS 1\n#endif\n"),
    "#if with unsigned wrap and ternary":
        kernel("", before="#if -1 > 0u\n#define WRAPS 1\n#endif\n#if (1 ? 2 : 3) == 2 && 0xFFFFFFFFFFFFFFFF > 0\n#define PICKS 1\n#endif\n"),
    "extern C guarded by __cplusplus":
        kernel("  (void)plain_c2(1);\n",
               before="#ifdef __cplusplus\nextern \"C\" {\n#endif\nint plain_c2(int v) { return v; }\n#ifdef __cplusplus\n}\n#endif\n"),
    "kernel entry spelled by a macro":
        "#include <pto/pto-inst.hpp>\nusing namespace pto;\n#define KERNEL_ENTRY(name) extern \"C\" __global__ AICORE void name(__gm__ float* x, int64_t n)\n"
        + kernel("", head="").replace('extern "C" __global__ AICORE void kernel_entry(__gm__ float* x, int64_t n)',
                                      "KERNEL_ENTRY(kernel_entry)"),
    "comparison operator overloads":
        kernel("  Key k1{1}, k2{2};\n  (void)(k1 < k2); (void)(k1 > k2); (void)(k1 <= k2);\n",
               before="struct Key { int v; };\ninline bool operator<(const Key &l, const Key &r) { return l.v < r.v; }\n"
                      "inline bool operator>(const Key &l, const Key &r) { return r < l; }\n"
                      "inline bool operator<=(const Key &l, const Key &r) { return !(r < l); }\n"
                      "inline int operator<<(const Key &l, int s) { return l.v << s; }\n"),
    "less-than operator overload alone":
        kernel(f"  Key1 k1{{1}}, k2{{2}};\n  if (k1 < k2) {{\n    TADD(a, a, a);\n  }}\n  {GUARD}\n  TMUL(c, c, c);\n",
               before="struct Key1 { int v; };\ninline bool operator<(const Key1 &l, const Key1 &r) { return l.v < r.v; }\n"),
    "greater-than operator overload alone":
        kernel("  Key2 k1{1}, k2{2};\n  (void)(k1 > k2);\n",
               before="struct Key2 { int v; };\ninline bool operator>(const Key2 &l, const Key2 &r) { return l.v > r.v; }\n"),
    "shift operator overloads":
        kernel("  Key3 k{1};\n  (void)(k << 2);\n  (void)(k >> 1);\n",
               before="struct Key3 { int v; };\ninline int operator<<(const Key3 &l, int s) { return l.v << s; }\n"
                      "inline int operator>>(const Key3 &l, int s) { return l.v >> s; }\n"),
    "member comparison operators":
        kernel("  Key4 k1{1}, k2{2};\n  (void)(k1 < k2);\n",
               before="struct Key4 {\n  int v;\n  bool operator<(const Key4 &o) const { return v < o.v; }\n"
                      "  bool operator>(const Key4 &o) const { return v > o.v; }\n};\n"),
    "spaceship and call operators":
        kernel("  Num p{1}, q{2};\n  (void)(p <=> q);\n  (void)p(3);\n  (void)p[0];\n",
               before="#include <compare>\nstruct Num {\n  int v;\n  auto operator<=>(const Num &) const = default;\n"
                      "  int operator()(int k) const { return v + k; }\n  int operator[](int k) const { return v * k; }\n};\n"),
    "nested template closers and a greater-than in a default":
        kernel("  Outer2<Inner2<Inner2<int>>> o;\n  (void)o;\n  (void)Cmp<>::value;\n",
               before="template <typename T> struct Inner2 { T v; };\ntemplate <typename T> struct Outer2 { T v; };\n"
                      "template <bool B = (3 > 2)> struct Cmp { static constexpr bool value = B; };\n"),
    "requires expression with braces":
        kernel(f"  TADD(a, a, a);\n  {GUARD}\n  later(c);\n",
               before="template <typename T>\nconcept Tileish = requires(T t) { t.data(); };\n"
                      "template <typename T>\n  requires requires(T t) { t.data(); }\nAICORE inline void later(T &t) { TMUL(t, t, t); }\n"),
    "file-scope lambda":
        kernel(f"  TADD(a, a, a);\n  {GUARD}\n  later(c);\n",
               before=f"static auto later = []({T16} &t) {{ TMUL(t, t, t); }};\n"),
    "typedef struct and anonymous enum":
        kernel("  Params p{1};\n  (void)p;\n  (void)kSlotCount;\n",
               before="typedef struct { int rows; } Params;\nenum { kSlotCount = 1 << 2 };\nstruct { int x; } unnamed_var;\n"),
    "array of function pointers and namespace alias":
        kernel("  (void)table_fns[0](1);\n  (void)ua::one();\n",
               before="static int id_fn(int v) { return v; }\nstatic int (*table_fns[2])(int) = {id_fn, id_fn};\n"
                      "namespace util2 { inline int one() { return 1; } }\nnamespace ua = util2;\n"),
    "defaulted and deleted members":
        kernel("  Mover m;\n  (void)m;\n",
               before="struct Mover {\n  Mover() = default;\n  Mover(const Mover &) = delete;\n"
                      "  auto size() const & -> int { return 1; }\n};\n"),
    "else if constexpr chain":
        kernel(f"  if constexpr (sizeof(int) == 2) {{\n    TADD(b, b, b);\n  }} else if constexpr (sizeof(int) == 4) {{\n"
               f"    TADD(a, a, a);\n  }} else {{\n    TADD(b, b, b);\n  }}\n  {GUARD}\n  TMUL(c, c, c);\n"),
    "goto inside a lambda":
        kernel(f"  auto step = [&]() {{\n    TADD(a, a, a);\n    goto tail;\n  tail:\n    {GUARD}\n    TMUL(c, c, c);\n  }};\n  step();\n"),
    "gnu case range and local label":
        kernel(f"  switch (n) {{\n  case 1 ... 3:\n    TADD(a, a, a);\n    {GUARD}\n    TMUL(c, c, c);\n    break;\n  }}\n"
               "  {\n    __label__ out;\n    if (n) goto out;\n  out:;\n  }\n"),
    "computed goto":
        kernel(f"  void *target = &&tail;\n  TADD(a, a, a);\n  goto *target;\ntail:\n  {GUARD}\n  TMUL(c, c, c);\n"),
    "duff's device":
        kernel(f"  int64_t k = n;\n  switch (k % 2) {{\n  case 0:\n    do {{\n      TADD(a, a, a);\n  case 1:\n"
               f"      {GUARD}\n      TMUL(c, c, c);\n    }} while (--k > 0);\n  }}\n"),
    "alignof and this":
        kernel("  Self s;\n  (void)s.me();\n  (void)alignof(float);\n",
               before="struct Self { const Self *me() const { return this; } };\n"),
    "attribute on a label":
        kernel(f"  TADD(a, a, a);\n[[maybe_unused]] spare_label:\n  {GUARD}\n  TMUL(c, c, c);\n"),
    "partial specialisation":
        kernel("  (void)IsPtr<int *>::value;\n",
               before="template <typename T> struct IsPtr { static constexpr bool value = false; };\n"
                      "template <typename T> struct IsPtr<T *> { static constexpr bool value = true; };\n"),
    # -- nesting past ptofix's bound (200 levels) but within a compiler's (256 at least) ---------
    "namespaces nested 210 deep":
        kernel("", before="".join(f"namespace n{i} {{\n" for i in range(210)) + "inline int deep() { return 1; }\n"
               + "}\n" * 210),
    "blocks nested 210 deep":
        kernel("".join("{\n" for _ in range(210)) + f"  TADD(a, a, a);\n  {GUARD}\n  TMUL(c, c, c);\n"
               + "".join("}\n" for _ in range(210))),
    "#if sections nested 210 deep in the body":
        kernel("".join("#if 1\n" for _ in range(210)) + f"  TADD(a, a, a);\n  {GUARD}\n  TMUL(c, c, c);\n"
               + "".join("#endif\n" for _ in range(210))),
    # -- preprocessor ---------------------------------------------------------------------------
    "#line directive":
        kernel("", before="#line 500 \"renamed.cpp\"\n"),
    "#error in a dead group":
        kernel("", before="#if 0\n#error \"never compiled\"\n#endif\n#ifdef NOT_DEFINED_ANYWHERE\n#error nope\n#endif\n"),
    "#warning in a dead group":
        kernel("", before="#if 0\n#warning \"never compiled\"\n#endif\n"),
    "__has_include of a found header":
        kernel(f"#if __has_include(<pto/pto-inst.hpp>)\n  TADD(a, a, a);\n  {GUARD}\n  TMUL(c, c, c);\n#endif\n"),
    "__has_include of a missing header":
        kernel(f"#if __has_include(\"no_such_header_anywhere.h\")\n#include \"no_such_header_anywhere.h\"\n#endif\n"
               f"  TADD(a, a, a);\n  {GUARD}\n  TMUL(c, c, c);\n"),
    "__has_include in an elif":
        kernel("", before="#if 0\n#elif __has_include(<pto/pto-inst.hpp>) && defined(__COSTMODEL)\n#define HAVE_PTO 1\n"
                          "#else\n#define HAVE_PTO 0\n#endif\n"),
    "__has_include as a defined check":
        kernel("", before="#if defined(__has_include)\n#if __has_include(<cstdint>)\n#include <cstdint>\n#endif\n#endif\n"),
    "__has_builtin and __has_cpp_attribute":
        kernel("", before="#if defined(__has_builtin) && __has_builtin(__builtin_expect)\n#define EXPECT 1\n#endif\n"
                          "#if __has_cpp_attribute(likely)\n#define LIKELY_OK 1\n#endif\n"),
    "defined without parentheses":
        kernel(f"#if defined __COSTMODEL && !defined NOT_DEFINED_ANYWHERE\n  TADD(a, a, a);\n  {GUARD}\n  TMUL(c, c, c);\n#endif\n"),
    "#elifdef and #elifndef":
        kernel("", before="#ifdef NOT_DEFINED_ANYWHERE\n#define PICK 1\n#elifdef __COSTMODEL\n#define PICK 2\n"
                          "#elifndef ALSO_NOT_DEFINED\n#define PICK 3\n#endif\n"),
    "#if across continuation lines":
        kernel("", before="#if defined(__COSTMODEL) && \\\n    (1 + 1 == 2)\n#define TWO 2\n#endif\n"),
    "#if with a character literal":
        kernel("", before="#if 'A' == 65\n#define ASCII 1\n#endif\n"),
    "#include through a macro":
        kernel("", head="#define PTO_HEADER <pto/pto-inst.hpp>\n#include PTO_HEADER\nusing namespace pto;\n"),
    "#pragma message and diagnostic":
        kernel("", before="#pragma message(\"building the kernel\")\n#pragma GCC diagnostic ignored \"-Wunused\"\n"),
    "header included twice":
        kernel("", head=HEAD + "#include <pto/pto-inst.hpp>\n"),
    "null directive and spaced directives":
        kernel("", before="#\n#  define SPACED 1\n# if SPACED /* a comment */ == 1 // and another\n#   define TAKEN 1\n#  endif\n"
                          "#ifdef SPACED // trailing comment\n#endif\n#undef NEVER_DEFINED\n#line 40\n"),
    "#ident and #pragma pack":
        kernel("  Packed p{};\n  (void)p;\n", before="#ident \"kernel v1\"\n#pragma pack(push, 1)\n"
                                                     "struct Packed { char c; int i; };\n#pragma pack(pop)\n"),
    "#include of a quoted name through a macro":
        kernel("", head="#define PTO_QUOTED \"pto/pto-inst.hpp\"\n#include PTO_QUOTED\nusing namespace pto;\n"),
    "directive continued onto the last line":
        kernel("") + "#define LAST_ONE 1 \\\n",
    # -- bytes of the file --------------------------------------------------------------------
    "CRLF line endings":
        kernel("").replace("\n", "\r\n"),
    "byte order mark":
        "\ufeff" + kernel(""),
    "line comment at the end of the file without a newline":
        kernel("") + "// the end",
    "no newline at the end of the file":
        kernel("").rstrip("\n"),
    "form feed between functions":
        kernel("", after="\f\nstatic inline int tail() { return 0; }\n"),
}
