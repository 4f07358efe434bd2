"""exercises/ and solutions/ mirror each other exactly, and the exercise tables match them."""
import ast
import inspect

from autograder.harness.loader import REPO_ROOT, Implementation
from autograder.harness.registry import EXERCISES, load_chapter


def modules(root, chapter):
    return sorted(p.name for p in (root / chapter).glob("*.py") if not p.name.startswith("test_"))


def public_names(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = {}
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and not node.name.startswith("_"):
            methods = sorted(m.name for m in node.body if isinstance(m, ast.FunctionDef)) \
                if isinstance(node, ast.ClassDef) else None
            names[node.name] = methods
    return names


def test_same_files(chapter):
    assert modules(REPO_ROOT / "exercises", chapter) == modules(REPO_ROOT / "solutions", chapter)
    assert (REPO_ROOT / "exercises" / chapter / f"test_{chapter}.py").is_file(), "every chapter has its test file"


def test_same_names_and_signatures(chapter):
    stubs, refs = Implementation(REPO_ROOT / "exercises", "m1"), Implementation(REPO_ROOT / "solutions", "m2")
    for name in modules(REPO_ROOT / "solutions", chapter):
        if name == "__init__.py":
            continue
        stem = name[:-3]
        s_names = public_names(REPO_ROOT / "exercises" / chapter / name)
        r_names = public_names(REPO_ROOT / "solutions" / chapter / name)
        assert s_names == r_names, f"{chapter}/{name}: public names differ: {s_names} vs {r_names}"
        s_mod, r_mod = stubs.module(f"{chapter}.{stem}"), refs.module(f"{chapter}.{stem}")
        for n in r_names:
            s_obj, r_obj = getattr(s_mod, n), getattr(r_mod, n)
            if inspect.isclass(r_obj):
                pairs = [(f"{n}.{m}", getattr(s_obj, m), getattr(r_obj, m)) for m in r_names[n]]
            else:
                pairs = [(n, s_obj, r_obj)]
            for label, a, b in pairs:
                a, b = (getattr(x, "fget", x) if isinstance(x, property) else x for x in (a, b))  # a property's getter
                assert inspect.signature(a) == inspect.signature(b), f"{chapter}/{name}: {label} signatures differ"


def test_stub_bodies_only_raise(chapter):
    """Stub bodies are a docstring and ``raise NotImplementedError(...)`` naming the exercise."""
    for path in (REPO_ROOT / "exercises" / chapter).glob("*.py"):
        if path.name.startswith("test_") or path.name == "__init__.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef) and (not node.name.startswith("_") or node.name.startswith("__")):
                body = [s for s in node.body if not (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant))]
                assert len(body) == 1 and isinstance(body[0], ast.Raise), f"{path.name}: {node.name} is not a stub"
                assert "NotImplementedError" in ast.unparse(body[0]), f"{path.name}: {node.name} must raise NotImplementedError"
                assert "§" in ast.unparse(body[0]), f"{path.name}: {node.name}'s message must name its book section"


def test_exercise_table_matches_the_files(chapter):
    checks = load_chapter(chapter)
    refs = Implementation(REPO_ROOT / "solutions", "m3")
    for ex in EXERCISES[chapter].values():
        refs.get(ex.key)  # raises if the declared exercise does not exist
        mine = [c for c in checks if c.exercise is ex]
        assert any(c.visibility == "public" for c in mine), f"{ex.key} has no public check"
        assert any(c.visibility == "hidden" for c in mine), f"{ex.key} has no hidden check"
    for name in modules(REPO_ROOT / "solutions", chapter):
        for public in public_names(REPO_ROOT / "solutions" / chapter / name):
            key = f"{chapter}.{name[:-3]}.{public}"
            assert key in EXERCISES[chapter], f"{key} is in solutions/ but not declared with exercises()"


def test_docstrings_state_the_contract(chapter):
    for path in (REPO_ROOT / "exercises" / chapter).glob("*.py"):
        if path.name.startswith("test_"):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        assert ast.get_docstring(tree), f"{path.name} needs a module docstring naming its book section"
        for node in tree.body:
            if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and not node.name.startswith("_"):
                assert ast.get_docstring(node), f"{path.name}: {node.name} needs a docstring with its contract"
