"""Undefined-name fixes in C, JavaScript, TypeScript, Rust and Go: stand-ins and riders refused."""

import pytest
from fixloop.engine import names, standins, syntax
from fixloop.verifiers.base import Finding, Span

JS = "const path = require('path');\n\nfunction read(dir) {\n  return fs.readFileSync(path.join(dir, 'a'));\n}\n"
TS = "import { join } from 'path';\n\nexport function read(dir: string) {\n  return readFileSync(join(dir, 'a'));\n}\n"
RS = "pub fn count(text: &str) -> usize {\n    let mut seen = HashMap::new();\n    seen.insert(text, 1);\n    seen.len()\n}\n"
GO = 'package main\n\nimport "fmt"\n\nfunc shout(s string) string {\n\treturn strings.ToUpper(s)\n}\n'
C = "#include <stdio.h>\n\nint sum(const int *v, int length) {\n    int s = 0;\n    for (int i = 0; i < lenght; i++)\n        s += v[i];\n    return s;\n}\n"


def test_go_says_the_undefined_name_without_quotes():
    finding = Finding("go", "compile", "undefined: strings", Span(5, 0, 5, 1))
    assert names.undefined_name(finding) == "strings"


@pytest.mark.parametrize("language, original, name, candidate, reason", [
    ("javascript", JS, "fs", JS.replace("\n\n", "\nconst fs = require('lodash');\n\n", 1), "does not exist"),
    ("javascript", JS, "fs", JS.replace("\n\n", "\nconst fs = require('os');\n\n", 1), "which is not `fs`"),
    ("javascript", JS, "fs", JS.replace("\n\n", "\nvar fs = null;\n\n", 1), "no real value"),
    ("javascript", JS, "fs", JS.replace("\n\n", "\nconst fs = self.fs;\n\n", 1), "through self"),
    ("javascript", JS, "fs", JS.replace("\n\n", "\nconst fs = { readFileSync() { return ''; } };\n\n", 1),
     "stub object"),
    ("javascript", JS, "fs", JS.replace("\n\n", "\nconst fs = require('fs');\n\n", 1).replace(
        "  return", "  eval('1');\n  return"), "new call"),
    ("typescript", TS, "readFileSync", "import { readFileSync } from 'fs';\n" + TS.replace(
        "  return", "  new Function('x')();\n  return"), "new call"),
    ("typescript", TS, "readFileSync", "import 'fs';\n" + TS, "side-effect-only import"),
    ("typescript", TS, "readFileSync", "import readFileSync from 'left-pad';\n" + TS, "does not exist"),
    ("rust", RS, "HashMap", "use std::sync::HashMap;\n" + RS, "not where Rust keeps"),
    ("rust", RS, "HashMap", "enum HashMap {}\n" + RS, "defines its own `HashMap`"),
    ("rust", RS, "Widget", "struct Widget {}\n" + RS.replace("HashMap", "Widget"), "empty stand-in struct"),
    ("go", GO, "strings", GO.replace('"fmt"', '(\n\t"fmt"\n\t. "strings"\n)'), "side effects"),
    ("go", GO, "strings", GO.replace("func shout", "var strings = struct{}{}\n\nfunc shout"),
     "stand-in variable"),
    ("go", GO, "strings", GO.replace('"fmt"', '(\n\t"fmt"\n\t"os"\n\t"strings"\n)').replace(
        "\treturn", "\tos.Exit(0)\n\treturn"), "new call"),
    ("c", C, "lenght", C.replace("#include <stdio.h>\n", "#include <stdio.h>\n#define lenght\n"), "macro"),
    ("c", C, "lenght", C.replace("    int s = 0;\n", "    int s = 0, lenght = NULL;\n"), "no real value"),
    ("c", C, "lenght", C.replace("int sum(", "int lenght(void);\nint sum("), "without defining"),
    ("c", C, "lenght", C.replace("int sum(", "static int lenght(void) { return 3; }\nint sum("),
     "empty stand-in function"),
])
def test_stand_ins_and_riders_are_refused(language, original, name, candidate, reason, tmp_path):
    found = standins.review(original, candidate, name, language, tmp_path)
    assert found is not None and reason in found, found


@pytest.mark.parametrize("language, original, name, candidate", [
    ("javascript", JS, "fs", JS.replace("\n\n", "\nconst fs = require('node:fs');\n\n", 1)),
    ("javascript", JS, "fs", JS.replace("\n\n", "\nconst fs = require('fs-extra');\n\n", 1)),  # installed
    ("javascript", JS, "fs", JS.replace("\n\n", "\nconst fs = require('./fs');\n\n", 1)),  # the workspace's
    ("typescript", TS, "readFileSync", "import { readFileSync } from 'node:fs';\n" + TS),
    ("typescript", TS.replace("readFileSync(", "rfs("), "rfs",
     "import { readFileSync as rfs } from 'fs';\n" + TS.replace("readFileSync(", "rfs(")),
    ("rust", RS, "HashMap", "use std::collections::hash_map::HashMap;\n" + RS),
    ("rust", RS, "HashMap", RS.replace("HashMap::new", "std::collections::HashMap::new")),
    ("rust", RS, "Widget", "struct Widget { size: usize }\n" + RS.replace("HashMap", "Widget")),
    ("go", GO, "strings", GO.replace('"fmt"', '(\n\t"fmt"\n\tstrings "strings"\n)')),
    ("c", C, "lenght", C.replace("lenght", "length")),
    ("c", C, "lenght", C.replace("int sum(", "static int lenght_of(void);\nint sum(").replace(
        "lenght;", "length;")),
])
def test_real_fixes_pass(language, original, name, candidate, tmp_path):
    (tmp_path / "node_modules" / "fs-extra").mkdir(parents=True)
    assert standins.review(original, candidate, name, language, tmp_path) is None


def test_a_renamed_call_of_the_name_is_not_a_new_call(tmp_path):
    candidate = "const { readFileSync } = require('fs');\n" + JS.replace("fs.readFileSync", "readFileSync")
    assert standins.review(JS, candidate, "fs", "javascript", tmp_path) is None
    typo = C.replace("lenght", "length").replace("s += v[i];", "s += lenght(v[i]);")
    assert standins.review(typo, typo.replace("lenght(", "length("), "lenght", "c", tmp_path) is None


@pytest.mark.parametrize("language, text", [
    ("rust", "fn f() -> usize {\n    #[cfg(any())]\n    let gone = 1;\n    0\n}\n"),
    ("rust", "#[cfg(any())]\nfn gone() {}\n"),
    ("rust", "fn f() {\n    if false {\n        gone();\n    }\n}\n"),
    ("go", "package main\n\nfunc f() int {\n\treturn 0\n\tgone()\n}\n"),
])
def test_code_that_no_longer_runs_in_rust_and_go(language, text):
    assert "gone" not in syntax.facts(text, language).names()


def test_a_require_reads_as_an_import_naming_its_module():
    facts = syntax.facts("const fs = require('fs');\n", "javascript")
    assert facts.kinds[0] == ["import_statement"]
    assert facts.names()["fs"] == 2
