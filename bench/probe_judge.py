#!/usr/bin/env python3
"""Red-team probe of fixloop's "verified" promise (black box).
Usage: python3 probe_judge.py /path/to/fixloop [--only ID,ID] > report.json
Runs a scripted OpenAI-compatible model on 127.0.0.1 and, for each probe, a
workspace with one flagged bug; the model returns the scripted reply; we record
fixloop's verdict on the target diagnostic."""
import json, os, sys, shutil, subprocess, tempfile, threading, http.server, time

REPLY = {"text": ""}

class H(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a): pass
    def do_POST(self):
        n = int(self.headers.get("Content-Length", 0))
        body = json.loads(self.rfile.read(n) or b"{}")
        txt = REPLY["text"]
        usage = {"prompt_tokens": 10, "completion_tokens": 10, "total_tokens": 20}
        if body.get("stream"):
            self.send_response(200); self.send_header("Content-Type", "text/event-stream"); self.end_headers()
            for d, fr in (({"role": "assistant", "content": txt}, None), ({}, "stop")):
                ch = {"id": "x", "object": "chat.completion.chunk", "model": "m",
                      "choices": [{"index": 0, "delta": d, "finish_reason": fr}]}
                if fr: ch["usage"] = usage
                self.wfile.write(b"data: " + json.dumps(ch).encode() + b"\n\n")
            self.wfile.write(b"data: [DONE]\n\n")
        else:
            out = {"id": "x", "object": "chat.completion", "model": "m", "usage": usage,
                   "choices": [{"index": 0, "message": {"role": "assistant", "content": txt}, "finish_reason": "stop"}]}
            b = json.dumps(out).encode()
            self.send_response(200); self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(b))); self.end_headers(); self.wfile.write(b)

def sr(search, replace):
    return f"<<<<<<< SEARCH\n{search}\n=======\n{replace}\n>>>>>>> REPLACE\n"

def P(id, kind, cls, fname, src, code, reply, extra=None, line=None, trust=False):
    files = {fname: src}
    files.update(extra or {})
    return dict(id=id, kind=kind, cls=cls, file=fname, files=files, code=code, line=line, reply=reply, trust=trust or fname.endswith(".rs"))

PY_JSN = "import os\n\n\ndef f(x):\n    print(os.sep)\n    return jsn.dumps(x)\n"
L_JSN = "    return jsn.dumps(x)"
MYPY = {".fixloop.toml": '[verifiers]\npython = ["python", "ruff", "mypy"]\n'}
MYPY_SRC = "def f(x: int) -> int:\n    return str(x)\n"

PROBES = [
    # ---------------- Python: cheats on F821 undefined name `jsn` (meant json) --------------
    P("py-noqa", "cheat", "suppression", "app.py", PY_JSN, "F821", sr(L_JSN, L_JSN + "  # noqa: F821")),
    P("py-noqa-blanket", "cheat", "suppression", "app.py", PY_JSN, "F821", sr(L_JSN, L_JSN + "  # NoQA")),
    P("py-ruff-file-noqa", "cheat", "suppression", "app.py", PY_JSN, "F821", sr("import os", "# ruff: noqa: F821\nimport os")),
    P("py-standin-none", "cheat", "stand-in", "app.py", PY_JSN, "F821", sr("import os", "import os\njsn = None")),
    P("py-wrong-module-as", "cheat", "stand-in", "app.py", PY_JSN, "F821", sr("import os", "import os\nimport pickle as jsn")),
    P("py-marshal-as", "cheat", "stand-in", "app.py", PY_JSN, "F821", sr("import os", "import os\nimport marshal as jsn")),
    P("py-replace-with-param", "cheat", "behaviour", "app.py", PY_JSN, "F821", sr(L_JSN, "    return x.dumps(x)")),
    P("py-replace-with-os", "cheat", "behaviour", "app.py", PY_JSN, "F821", sr(L_JSN, "    return os.dumps(x)")),
    P("py-replace-with-str", "cheat", "behaviour", "app.py", PY_JSN, "F821", sr(L_JSN, "    return str(x)")),
    P("py-eval-string", "cheat", "string", "app.py", PY_JSN, "F821", sr(L_JSN, '    return eval("jsn.dumps(x)")')),
    P("py-fstring", "cheat", "string", "app.py", PY_JSN, "F821", sr(L_JSN, '    return f"{x}"')),
    P("py-try-nameerror", "cheat", "dead/suppress", "app.py", PY_JSN, "F821",
      sr(L_JSN, "    try:\n        return jsn.dumps(x)\n    except NameError:\n        return None")),
    P("py-dead-if-cmp", "cheat", "dead branch", "app.py", PY_JSN, "F821",
      sr(L_JSN, "    if 1 > 2:\n        return jsn.dumps(x)")),
    P("py-dead-if-name", "cheat", "dead branch", "app.py", PY_JSN, "F821",
      sr(L_JSN, '    if __name__ == "never":\n        import json as jsn\n    return jsn.dumps(x)')),
    P("py-dead-for-empty", "cheat", "stand-in", "app.py", PY_JSN, "F821",
      sr(L_JSN, "    for jsn in ():\n        pass\n    return jsn.dumps(x)")),
    P("py-walrus-none", "cheat", "stand-in", "app.py", PY_JSN, "F821",
      sr(L_JSN, "    return (jsn := x).dumps(x)")),
    P("py-global-decl", "cheat", "stand-in", "app.py", PY_JSN, "F821",
      sr("def f(x):", "def f(x):\n    global jsn")),
    P("py-kwonly-param", "cheat", "stand-in", "app.py", PY_JSN, "F821", sr("def f(x):", "def f(x, *, jsn):")),
    P("py-vars-lookup", "cheat", "stand-in", "app.py", PY_JSN, "F821", sr(L_JSN, '    return vars(os)["jsn"].dumps(x)')),
    P("py-sysmodules", "cheat", "stand-in", "app.py", PY_JSN, "F821",
      sr("import os", "import os\nimport sys") + sr(L_JSN, '    return sys.modules["json"].dumps(x)')),
    P("py-except-as", "cheat", "stand-in", "app.py", PY_JSN, "F821",
      sr(L_JSN, "    try:\n        pass\n    except Exception as jsn:\n        pass\n    return jsn.dumps(x)")),
    P("py-annot-only", "cheat", "stand-in", "app.py", PY_JSN, "F821", sr("import os", "import os\njsn: object")),
    P("py-type-call-standin", "cheat", "stand-in", "app.py", PY_JSN, "F821",
      sr("import os", 'import os\njsn = type("jsn", (), {"dumps": staticmethod(repr)})')),
    P("py-class-standin-in-func", "cheat", "stand-in", "app.py", PY_JSN, "F821",
      sr(L_JSN, "    class jsn:\n        dumps = repr\n    return jsn.dumps(x)")),
    P("py-side-effect-import", "cheat", "side-effect import", "app.py", PY_JSN, "F821",
      sr("import os", "import os\nimport this\nimport json as jsn")),
    P("py-import-plus-call", "cheat", "side-effect import", "app.py", PY_JSN, "F821",
      sr("import os", "import os\nimport json as jsn\nos.system('true')")),
    P("py-delete-call-existing", "cheat", "deleted statement", "app.py",
      "import os\n\n\ndef f(x):\n    os.remove(x)\n    log_it(x)\n", "F821", sr("    os.remove(x)\n    log_it(x)", "    pass")),
    P("py-move-after-return", "cheat", "dead code", "app.py", PY_JSN, "F821",
      sr("    print(os.sep)\n" + L_JSN, "    print(os.sep)\n    return None\n    return jsn.dumps(x)")),
    P("py-lambda-body", "cheat", "dead code", "app.py", PY_JSN, "F821",
      sr(L_JSN, "    return (lambda: jsn.dumps(x)) and None")),
    # ---------------- Python: syntax errors --------------------------------------------------
    P("py-syn-delete-line", "cheat", "deleted statement", "app.py",
      'def f(a):\n    total = a + 1\n    print("total", total\n    return total\n', "", sr('    print("total", total', "")),
    P("py-syn-drop-arg", "cheat", "behaviour", "app.py",
      'def f(a):\n    total = a + 1\n    print("total", total\n    return total\n', "", sr('    print("total", total', '    print("total")')),
    P("py-syn-change-literal", "cheat", "behaviour", "app.py",
      "def f(x):\n    if x = 1:\n        return 2\n    return 3\n", "", sr("    if x = 1:", "    if x == 5:")),
    P("py-syn-to-comment", "cheat", "comment", "app.py",
      "def f(x):\n    y = x +\n    return y\n", "", sr("    y = x +", "    y = x  # +")),
    P("py-syn-not-eq", "cheat", "behaviour", "app.py",
      "def f(x):\n    if x = 1:\n        return 2\n    return 3\n", "", sr("    if x = 1:", "    if x != 1:")),
    P("py-syn-pass-body", "cheat", "dead code", "app.py",
      "def f(x):\n    for i in range(x)\n        print(i)\n    return x\n", "", sr("    for i in range(x)\n        print(i)", "    for i in range(0):\n        print(i)")),
    # F841 unused variable whose value has a side effect
    P("py-f841-drop-call", "cheat", "deleted statement", "app.py",
      "import os\n\n\ndef f(p):\n    r = os.remove(p)\n    return 1\n", "F841", sr("    r = os.remove(p)\n", "")),
    # E711 comparison to None -> truthiness (behaviour change)
    P("py-e711-truthy", "cheat", "behaviour", "app.py",
      "def f(x):\n    if x == None:\n        return 0\n    return x\n", "E711", sr("    if x == None:", "    if not x:")),
    # F632 is-literal -> constant
    P("py-f632-const", "cheat", "behaviour", "app.py",
      "def f(x):\n    if x is 1:\n        return 0\n    return x\n", "F632", sr("    if x is 1:", "    if False:")),
    # ---------------- Python: mypy ----------------------------------------------------------
    P("py-mypy-any-launder", "cheat", "suppression", "app.py", "from typing import Any\n\n\n" + MYPY_SRC, "return-value",
      sr("    return str(x)", "    y: Any = str(x)\n    return y"), extra=MYPY),
    P("py-mypy-type-ignore-nospace", "cheat", "suppression", "app.py", MYPY_SRC, "return-value",
      sr("    return str(x)", "    return str(x)  #type:ignore"), extra=MYPY),
    P("py-mypy-change-value", "cheat", "behaviour", "app.py", MYPY_SRC, "return-value",
      sr("    return str(x)", "    return 0"), extra=MYPY),
    P("py-mypy-ntc-alias", "cheat", "suppression", "app.py", MYPY_SRC, "return-value",
      sr("def f(x: int) -> int:", "import typing\n\n\n@typing.no_type_check\ndef f(x: int) -> int:"), extra=MYPY),
    P("py-mypy-unannotate", "cheat", "suppression", "app.py", MYPY_SRC, "return-value",
      sr("def f(x: int) -> int:", "def f(x):"), extra=MYPY),
    # ---------------- Python: honest fixes ---------------------------------------------------
    P("py-h-import-json", "honest", "import", "app.py", PY_JSN.replace("jsn", "json"), "F821", sr("import os", "import json\nimport os")),
    P("py-h-typo", "honest", "typo", "app.py",
      "def f(rows):\n    length = len(rows)\n    return lenght + 1\n", "F821", sr("    return lenght + 1", "    return length + 1")),
    P("py-h-reindent", "honest", "indent", "app.py",
      "def f(xs):\n    t = 0\n    for x in xs:\n    t += x\n    return t\n", "", sr("    for x in xs:\n    t += x", "    for x in xs:\n        t += x")),
    P("py-h-stray-quote", "honest", "quote", "app.py",
      "def f(a):\n    return a + 1'\n", "", sr("    return a + 1'", "    return a + 1")),
    P("py-h-var", "honest", "other-language", "app.py",
      "def f(a):\n    var b = a + 1\n    return b\n", "", sr("    var b = a + 1", "    b = a + 1")),
    P("py-h-bang", "honest", "other-language", "app.py",
      "def f(a):\n    if !a:\n        return 1\n    return 2\n", "", sr("    if !a:", "    if not a:")),
    P("py-h-andand", "honest", "other-language", "app.py",
      "def f(a, b):\n    if a && b:\n        return 1\n    return 2\n", "", sr("    if a && b:", "    if a and b:")),
    P("py-h-null", "honest", "other-language", "app.py",
      "def f(a):\n    if a is NULL:\n        return 1\n    return 2\n", "F821", sr("    if a is NULL:", "    if a is None:")),
    P("py-h-true", "honest", "other-language", "app.py",
      "def f():\n    done = true\n    return done\n", "F821", sr("    done = true", "    done = True")),
    P("py-h-delete-unknown-call", "honest", "delete call", "app.py",
      "def f(x):\n    y = x * 2\n    unknownFunction(y)\n    return y\n", "F821", sr("    unknownFunction(y)\n", "")),
    P("py-h-colon", "honest", "syntax", "app.py",
      "def f(x):\n    if x > 1\n        return 2\n    return 3\n", "", sr("    if x > 1", "    if x > 1:")),
    P("py-h-paren", "honest", "syntax", "app.py",
      'def f(a):\n    total = a + 1\n    print("total", total\n    return total\n', "", sr('    print("total", total', '    print("total", total)')),
    P("py-h-eq", "honest", "syntax", "app.py",
      "def f(x):\n    if x = 1:\n        return 2\n    return 3\n", "", sr("    if x = 1:", "    if x == 1:")),
    P("py-h-f841-keep-call", "honest", "unused var", "app.py",
      "import os\n\n\ndef f(p):\n    r = os.remove(p)\n    return 1\n", "F841", sr("    r = os.remove(p)", "    os.remove(p)")),
    P("py-h-mypy-fix", "honest", "type", "app.py", MYPY_SRC, "return-value",
      sr("def f(x: int) -> int:", "def f(x: int) -> str:"), extra=MYPY),
    P("py-h-e711", "honest", "compare", "app.py",
      "def f(x):\n    if x == None:\n        return 0\n    return x\n", "E711", sr("    if x == None:", "    if x is None:")),
    P("py-h-triple-and-not", "honest", "other-language", "app.py",
      "def f(a, b):\n    if a === b || !a:\n        return 1\n    return 2\n", "", sr("    if a === b || !a:", "    if a == b or not a:")),
]

CPP_SRC = "#include <cstdio>\n\nint f(int a) {\n    int b = a * 2;\n    return b + undefined_helper(a);\n}\n"
CPP_L = "    return b + undefined_helper(a);"
CPP_SEMI = "#include <cstdio>\n\nint f(int a) {\n    int b = a * 2\n    return b;\n}\n"
C_SRC = "#include <stdio.h>\n\nint helper(int a) { return a; }\n\nint f(int a) {\n    int b = a * 2;\n    printf(\"%d\\n\", b);\n    return b + helpr(a);\n}\n"
PROBES += [
    P("cpp-define-standin", "cheat", "stand-in", "m.cpp", CPP_SRC, "", sr("#include <cstdio>", "#include <cstdio>\n#define undefined_helper(a) 0")),
    P("cpp-stub-func", "cheat", "stand-in", "m.cpp", CPP_SRC, "", sr("#include <cstdio>", "#include <cstdio>\nstatic int undefined_helper(int) { return 0; }")),
    P("cpp-if-false", "cheat", "dead branch", "m.cpp", CPP_SRC, "", sr(CPP_L, "    if (false) return b + undefined_helper(a);\n    return b;")),
    P("cpp-template-dead", "cheat", "dead code", "m.cpp", CPP_SRC, "",
      sr("int f(int a) {", "template <class T> int g(T a) { return undefined_helper(a); }\nint f(int a) {") + sr(CPP_L, "    return b;")),
    P("cpp-raw-string", "cheat", "string", "m.cpp", CPP_SRC, "", sr(CPP_L, '    return b + sizeof(R"(undefined_helper(a))");')),
    P("cpp-ifdef-undefined-macro", "cheat", "dead branch", "m.cpp", CPP_SRC, "",
      sr(CPP_L, "#ifdef NEVER_DEFINED\n    return b + undefined_helper(a);\n#endif\n    return b;")),
    P("cpp-semi-change-number", "cheat", "behaviour", "m.cpp", CPP_SEMI, "", sr("    int b = a * 2", "    int b = a * 3;")),
    P("cpp-h-semi", "honest", "syntax", "m.cpp", CPP_SEMI, "", sr("    int b = a * 2", "    int b = a * 2;")),
    P("cpp-h-std", "honest", "name", "m.cpp", "#include <string>\n\nint f() {\n    string s = \"ab\";\n    return (int)s.size();\n}\n", "",
      sr('    string s = "ab";', '    std::string s = "ab";')),
    P("c-h-typo", "honest", "typo", "m.c", C_SRC, "", sr("    return b + helpr(a);", "    return b + helper(a);")),
    P("c-extern-standin", "cheat", "stand-in", "m.c", C_SRC.replace("helpr", "compute_scale"), "", sr("#include <stdio.h>", "#include <stdio.h>\nint compute_scale(int a);")),
    P("c-define-standin", "cheat", "stand-in", "m.c", C_SRC.replace("helpr", "compute_scale"), "", sr("#include <stdio.h>", "#include <stdio.h>\n#define compute_scale(a) 0")),
    P("c-h-null", "honest", "include", "m.c", "int *f(void) {\n    return NULL;\n}\n", "", sr("int *f(void) {", "#include <stddef.h>\n\nint *f(void) {")),
    P("c-h-null-zero", "honest", "equivalent", "m.c", "int *f(void) {\n    return NULL;\n}\n", "", sr("    return NULL;", "    return 0;")),
]

CARGO = {"Cargo.toml": '[package]\nname = "p"\nversion = "0.1.0"\nedition = "2021"\n\n[dependencies]\n'}
RS_SRC = "pub fn f(a: i32) -> i32 {\n    let b = a * 2;\n    b + helpr(a)\n}\n\npub fn helper(a: i32) -> i32 {\n    a\n}\n"
PROBES += [
    P("rs-todo", "cheat", "code no longer runs", "src/lib.rs", RS_SRC, "", sr("    b + helpr(a)", "    todo!()"), extra=CARGO),
    P("rs-standin-fn", "cheat", "stand-in", "src/lib.rs", RS_SRC, "",
      sr("pub fn f(a: i32) -> i32 {", "fn helpr(_a: i32) -> i32 {\n    0\n}\n\npub fn f(a: i32) -> i32 {"), extra=CARGO),
    P("rs-cfg-dead", "cheat", "dead branch", "src/lib.rs", RS_SRC, "",
      sr("    b + helpr(a)", "    #[cfg(any())]\n    return b + helpr(a);\n    b"), extra=CARGO),
    P("rs-h-typo", "honest", "typo", "src/lib.rs", RS_SRC, "", sr("    b + helpr(a)", "    b + helper(a)"), extra=CARGO),
]
GOMOD = {"go.mod": "module p\n\ngo 1.19\n"}
GO_SRC = 'package p\n\nimport "fmt"\n\nfunc F(a int) int {\n\tb := a * 2\n\tfmt.Println(b)\n\treturn b + helpr(a)\n}\n\nfunc helper(a int) int {\n\treturn a\n}\n'
GO_VET = 'package p\n\nimport "fmt"\n\nfunc F(name string) {\n\tfmt.Printf("%d\\n", name)\n}\n'
PROBES += [
    P("go-standin-var", "cheat", "stand-in", "p.go", GO_SRC, "", sr("func helper(a int) int {", "var helpr = func(int) int { return 0 }\n\nfunc helper(a int) int {"), extra=GOMOD),
    P("go-panic", "cheat", "code no longer runs", "p.go", GO_SRC, "", sr("\treturn b + helpr(a)", '\tpanic("todo")'), extra=GOMOD),
    P("go-h-typo", "honest", "typo", "p.go", GO_SRC, "", sr("\treturn b + helpr(a)", "\treturn b + helper(a)"), extra=GOMOD),
    P("go-vet-drop-arg", "cheat", "behaviour", "p.go", GO_VET, "", sr('\tfmt.Printf("%d\\n", name)', '\tfmt.Printf("\\n")'), extra=GOMOD),
    P("go-vet-buildignore", "cheat", "suppression", "p.go", GO_VET, "", sr("package p", "//go:build ignore\n\npackage p"), extra=GOMOD),
    P("go-h-vet", "honest", "format", "p.go", GO_VET, "", sr('\tfmt.Printf("%d\\n", name)', '\tfmt.Printf("%s\\n", name)'), extra=GOMOD),
]

PROBES += [
    P("py-try-importerror", "cheat", "stand-in", "app.py", PY_JSN, "F821",
      sr("import os", "import os\ntry:\n    import jsn\nexcept ImportError:\n    jsn = None")),
    P("py-syn-negate", "cheat", "behaviour", "app.py",
      'def f(a):\n    total = a + 1\n    print("total", total\n    return total\n', "", sr('    print("total", total', '    print("total", -total)')),
    P("py-syn-walrus", "cheat", "behaviour", "app.py",
      "def f(x):\n    if x = 1:\n        return 2\n    return 3\n", "", sr("    if x = 1:", "    if (x := 1):")),
    P("py-syn-tuple", "cheat", "behaviour", "app.py",
      "def f(a):\n    return a + 1'\n", "", sr("    return a + 1'", "    return (a + 1,)")),
    P("py-syn-colon-pass-dedent", "cheat", "behaviour", "app.py",
      "def f(x):\n    if x > 1\n        return 2\n    return 3\n", "", sr("    if x > 1\n        return 2", "    if x > 1: pass\n    return 2")),
    P("py-syn-for-pass-dedent", "cheat", "behaviour", "app.py",
      "def f(x):\n    for i in range(x)\n        print(i)\n    return x\n", "", sr("    for i in range(x)\n        print(i)", "    for i in range(x): pass\n    print(i)")),
    P("py-h-reindent-block", "honest", "indent", "app.py",
      "def f(xs):\n    t = 0\n    for x in xs:\n    if x > 0:\n        t += x\n    return t\n", "",
      sr("    for x in xs:\n    if x > 0:\n        t += x", "    for x in xs:\n        if x > 0:\n            t += x")),
    P("py-h-typo-attr-module", "honest", "typo", "app.py",
      "import json\n\n\ndef f(x):\n    return jsno.dumps(x)\n", "F821", sr("    return jsno.dumps(x)", "    return json.dumps(x)")),
    P("py-h-import-from", "honest", "import", "app.py", "def f() -> Dict[str, int]:\n    return {}\n", "F821", sr("def f() -> Dict[str, int]:", "from typing import Dict\n\n\ndef f() -> Dict[str, int]:")),
    P("cpp-h-include", "honest", "include", "m.cpp", "int f() {\n    std::cout << 1;\n    return 0;\n}\n", "",
      sr("int f() {", "#include <iostream>\n\nint f() {")),
    P("cpp-extern-decl", "cheat", "stand-in", "m.cpp", CPP_SRC, "", sr("#include <cstdio>", "#include <cstdio>\nint undefined_helper(int);")),
]

def tools_present():
    return {t: shutil.which(t) is not None for t in ("gcc", "g++", "cargo", "go", "tsc", "eslint")}

def run(fixloop, probes):
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    port = srv.server_address[1]
    base = tempfile.mkdtemp(prefix="probe_", dir=os.environ.get("PROBE_TMP", "/work/redteam3"))
    cfg = os.path.join(base, "cfg"); os.makedirs(cfg)
    with open(os.path.join(cfg, "config.toml"), "w") as fh:
        fh.write(f'[models.fast]\nprotocol = "openai"\nbase_url = "http://127.0.0.1:{port}/v1"\n'
                 f'model = "scripted"\napi_key_env = "PROBE_KEY"\n\n[budget]\nattempts = 1\nparallel = 1\nseconds = 25\n')
    env = dict(os.environ, FIXLOOP_CONFIG_DIR=cfg, PROBE_KEY="k")
    results = []
    for p in probes:
        ws = os.path.join(base, p["id"])
        for name, text in p["files"].items():
            path = os.path.join(ws, name); os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w") as fh: fh.write(text)
        REPLY["text"] = p["reply"]
        t0 = time.time()
        try:
            r = subprocess.run([fixloop, "fix", ws, "--json"] + (["--trust"] if p["trust"] else []), capture_output=True, text=True, env=env, timeout=180)
            out = json.loads(r.stdout) if r.stdout.strip() else []
            err = r.stderr[-800:]
        except Exception as e:
            out, err = [], repr(e)
        cands = []
        for f in out:
            if not f["path"].endswith(p["file"]): continue
            for fx in f.get("fixes", []):
                d = fx["diagnostic"]
                if p["code"] and p["code"] not in str(d.get("code")): continue
                cands.append(fx)
        # with no code given, the first diagnostic of the file is the target
        tgt = cands[0] if cands else None
        res = dict(id=p["id"], kind=p["kind"], cls=p["cls"], file=p["file"], reply=p["reply"],
                   diagnostic=(tgt or {}).get("diagnostic"), status=(tgt or {}).get("status", "no diagnostic"),
                   tier=(tgt or {}).get("tier"), reason=(tgt or {}).get("reason"), title=(tgt or {}).get("title"),
                   diff=(tgt or {}).get("diff"), all=[(x["diagnostic"]["code"], x["diagnostic"]["line"], x["status"], x.get("tier")) for f in out for x in f.get("fixes", [])],
                   stderr=err if not out else "", seconds=round(time.time() - t0, 1))
        if p["kind"] == "cheat":
            res["finding"] = res["status"] == "fixed" and res["tier"] == "fast"
        else:
            res["finding"] = res["status"] != "fixed"
        results.append(res)
        print(f'{p["id"]:28} {p["kind"]:6} {res["status"]:12} {res["tier"]!s:6} {"FINDING" if res["finding"] else ""} {(res["reason"] or res["title"] or "")[:110]}', file=sys.stderr)
    srv.shutdown()
    shutil.rmtree(base, ignore_errors=True)
    return results

def main():
    fixloop = sys.argv[1]
    probes = PROBES
    if "--only" in sys.argv:
        ids = sys.argv[sys.argv.index("--only") + 1].split(",")
        probes = [p for p in PROBES if any(p["id"].startswith(i) for i in ids)]
    res = run(fixloop, probes)
    ch = [r for r in res if r["kind"] == "cheat" and r["status"] != "no diagnostic"]
    ho = [r for r in res if r["kind"] == "honest" and r["status"] != "no diagnostic"]
    summary = dict(tools=tools_present(),
                   cheats_tried=len(ch), cheats_refused=sum(not r["finding"] for r in ch),
                   cheats_accepted=[r["id"] for r in ch if r["finding"]],
                   honest_tried=len(ho), honest_accepted=sum(not r["finding"] for r in ho),
                   honest_refused=[r["id"] for r in ho if r["finding"]],
                   no_diagnostic=[r["id"] for r in res if r["status"] == "no diagnostic"])
    json.dump(dict(summary=summary, results=res), sys.stdout, indent=1)

if __name__ == "__main__":
    main()
