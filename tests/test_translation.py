"""The course in Korean and Chinese, generated from the English notebooks (deepnet translate).

The English notebooks are the only edited source: these tests fail when a translation is missing,
fuzzy or stale, when a built notebook is not what the catalogs give, or when a learner would read
English (or boxes) in a translated notebook.
"""

import io
import json
import re
import shutil
import string
import sys
from contextlib import redirect_stdout
from pathlib import Path

import numpy as np
import pytest
from babel.messages.pofile import read_po, write_po
from matplotlib.backends.backend_agg import FigureCanvasAgg

from deepnet.course import cli, exercises, language, translation
from deepnet.course.checks import check_relu, check_sigmoid, check_softmax
from deepnet.course.checks import messages as check_messages

REPO = Path(__file__).resolve().parent.parent
HANGUL = re.compile(r"[\uac00-\ud7a3]")
HAN = re.compile(r"[\u4e00-\u9fff]")
CODES = ("ko", "zh_CN")


@pytest.fixture(autouse=True)
def english_afterwards():
    yield
    language.set_language(None)


def markdown_cells():
    for english in translation.english_notebooks(REPO):
        for cell in json.loads((REPO / english).read_text(encoding="utf-8"))["cells"]:
            if cell["cell_type"] == "markdown":
                yield english, cell, "".join(cell["source"])


def read_catalog(path, code):
    with open(path, "rb") as file:
        return read_po(file, locale=code)


def names(template):
    return sorted({name for _, name, _, _ in string.Formatter().parse(template) if name is not None})


# ---------------------------------------------------------------- the translations are complete


def test_translate_check_finds_nothing_to_fix():
    assert translation.check(REPO) == []


def test_the_command_exits_0_when_all_is_well_and_1_naming_each_problem(monkeypatch):
    out = io.StringIO()
    with redirect_stdout(out):
        assert cli.main(["translate", "check", "--root", str(REPO)]) == 0
    assert out.getvalue() == ""
    monkeypatch.setattr(translation, "check", lambda root: ["translations/ko/x.po: block a#b#1 is fuzzy"])
    with redirect_stdout(out):
        assert cli.main(["translate", "check", "--root", str(REPO)]) == 1
    assert "a#b#1" in out.getvalue()


@pytest.mark.parametrize("code", CODES)
def test_every_message_template_has_a_translation_with_the_same_placeholders(code):
    template = read_catalog(translation.messages_template_path(), None)
    catalog = read_catalog(translation.messages_catalog_path(code), code)
    english = [message.id for message in template if message.id]
    assert len(english) > 400  # every MESSAGES value and N_() string of the package
    for msgid in english:
        message = catalog.get(msgid)
        assert message is not None and message.string and not message.fuzzy, msgid
        assert names(message.string) == names(msgid), (msgid, message.string)


@pytest.mark.parametrize("code", CODES)
def test_translated_messages_are_in_the_language(code):
    script = HANGUL if code == "ko" else HAN
    catalog = read_catalog(translation.messages_catalog_path(code), code)

    def words(text):  # English words outside placeholders and code
        return re.findall(r"[A-Za-z]{4,}", re.sub(r"\{[^}]*\}|`[^`]*`", "", text))

    worded = [m for m in catalog if m.id and len(words(m.id)) >= 4]
    untranslated = [m.id for m in worded if not script.search(m.string)]
    assert not untranslated, untranslated[:5]


def test_every_markdown_block_of_every_notebook_has_a_korean_translation():
    for english in translation.english_notebooks(REPO):
        catalog = read_catalog(translation.catalog_path(REPO, "ko", english), "ko")
        blocks = translation.notebook_blocks(english.as_posix(), json.loads((REPO / english).read_text()))
        assert blocks
        for context, block in blocks:
            message = catalog.get(block, context=context)
            assert message is not None and message.string and not message.fuzzy, context
            if re.search(r"[A-Za-z]{3,} [A-Za-z]{3,} [A-Za-z]{3,}", re.sub(r"`[^`]*`|\$[^$]*\$", "", block)):
                assert HANGUL.search(message.string), context


def test_the_chinese_course_is_the_5_5_chapter_and_its_exercise():
    built = sorted(path.relative_to(REPO).as_posix() for path in REPO.glob("*/zh_CN/*.ipynb"))
    assert built == [
        "chapters/zh_CN/5.5-activation-layers.ipynb",
        "exercises/zh_CN/5.5-activation-layers.ipynb",
        "solutions/zh_CN/5.5-activation-layers.ipynb",
    ]


# ---------------------------------------------------------------- blocks and catalogs


def test_markdown_splits_into_blocks_that_join_back_byte_for_byte():
    for _english, _cell, text in markdown_cells():
        pieces = translation.split_blocks(text)
        assert "".join(block + separator for block, separator in pieces) == text


def test_no_block_cuts_a_code_fence_or_display_math_in_two():
    for _english, _cell, text in markdown_cells():
        for block, _ in translation.split_blocks(text):
            assert block.count("```") % 2 == 0 and block.count("$$") % 2 == 0, block


def test_a_block_ends_at_a_blank_line_but_not_inside_a_fence_or_math():
    text = "One\ntwo\n\n```python\na = 1\n\nb = 2\n```\n\n$$\nx\n\ny\n$$\n\nLast"
    blocks = [block for block, _ in translation.split_blocks(text)]
    assert blocks == ["One\ntwo\n", "```python\na = 1\n\nb = 2\n```\n", "$$\nx\n\ny\n$$\n", "Last"]
    assert [translation.needs_translation(block) for block in blocks] == [True, False, False, True]


def test_a_catalog_that_copies_the_english_builds_the_english_notebook_back():
    for english in translation.english_notebooks(REPO):
        template = translation.notebook_template(REPO, english)
        for message in template:
            if message.id:
                message.string = message.id
        built, missing = translation.translated_notebook(REPO, english, "ko", template)
        original = json.loads((REPO / english).read_text(encoding="utf-8"))
        assert not missing
        sources = [
            (c["id"], "".join(c["source"]))
            for c in built["cells"]
            if c["id"] not in ("colab-badge", "language")
        ]
        # The same text; only links and paths of notebooks lead to the Korean copies.
        assert sources == [
            (
                c["id"],
                translation.with_translated_paths(
                    translation.relinked("".join(c["source"]), english, "ko"), "ko"
                ),
            )
            if c["cell_type"] == "markdown"
            else (c["id"], "".join(c["source"]))
            for c in original["cells"]
            if c["id"] != "colab-badge"
        ]


@pytest.mark.parametrize(
    "path",
    sorted(REPO.glob("*/ko/*.ipynb")) + sorted(REPO.glob("*/zh_CN/*.ipynb")),
    ids=lambda path: path.relative_to(REPO).as_posix(),
)
def test_a_translated_notebook_has_the_english_code_its_language_and_its_own_badge(path):
    folder, code = path.parent.parent.name, path.parent.name
    notebook = json.loads(path.read_text(encoding="utf-8"))
    english = json.loads((REPO / folder / path.name).read_text(encoding="utf-8"))
    code_cells = [c for c in notebook["cells"] if c["cell_type"] == "code" and c["id"] != "language"]
    assert [c["source"] for c in code_cells] == [
        c["source"] for c in english["cells"] if c["cell_type"] == "code"
    ]
    assert notebook["metadata"]["language"] == code
    assert f"blob/main/{folder}/{code}/{path.name})" in "".join(notebook["cells"][0]["source"])
    language_cell = notebook["cells"][2]
    assert language_cell["id"] == "language" and f'deepnet.set_language("{code}")' in "".join(
        language_cell["source"]
    )


def test_a_changed_english_paragraph_fails_the_check_naming_its_block_until_it_is_translated(tmp_path):
    for folder in ("chapters", "solutions", "translations"):
        shutil.copytree(REPO / folder, tmp_path / folder)
    path = tmp_path / "chapters" / "5.5-activation-layers.ipynb"
    notebook = json.loads(path.read_text(encoding="utf-8"))
    cell = next(c for c in notebook["cells"] if c["cell_type"] == "markdown" and c["id"] == "c55-kink")
    blocks = translation.split_blocks("".join(cell["source"]))
    number = next(n for n, (block, _) in enumerate(blocks, start=1) if translation.needs_translation(block))
    blocks[number - 1] = (blocks[number - 1][0].replace("the", "exactly the", 1), blocks[number - 1][1])
    cell["source"] = exercises.source_lines("".join(b + s for b, s in blocks))
    path.write_text(exercises.notebook_text(notebook), encoding="utf-8")
    context = f"chapters/5.5-activation-layers.ipynb#c55-kink#{number}"

    problems = translation.check(tmp_path)
    assert any("stale" in p and context in p for p in problems), problems

    translation.update(tmp_path)  # as pybabel update: the old translation is kept, marked fuzzy
    for code in ("ko", "zh_CN"):
        po = translation.catalog_path(tmp_path, code, Path("chapters/5.5-activation-layers.ipynb"))
        message = next(m for m in read_catalog(po, code) if m.context == context)
        assert message.fuzzy and message.string
    problems = translation.check(tmp_path)
    assert any("fuzzy" in p and context in p for p in problems), problems
    assert not any("stale" in p for p in problems)

    for code in ("ko", "zh_CN"):  # the translators look at it again
        po = translation.catalog_path(tmp_path, code, Path("chapters/5.5-activation-layers.ipynb"))
        catalog = read_catalog(po, code)
        message = next(m for m in catalog if m.context == context)
        message.flags.discard("fuzzy")
        message.string = message.string.rstrip("\n") + " (!)\n"
        with open(po, "wb") as file:
            write_po(file, catalog, width=0)
    problems = translation.check(tmp_path)
    assert problems and all("is not what `deepnet translate build` writes" in p for p in problems)
    translation.build(tmp_path)
    assert translation.check(tmp_path) == []


def test_a_translation_with_other_placeholders_is_named(tmp_path):
    template = translation.new_catalog()
    template.add("{what} is transposed")
    catalog = translation.new_catalog("ko")
    catalog.add("{what} is transposed", "{무엇}이 전치되어 있다")
    problems = translation.check_catalog(tmp_path / "x.po", template, catalog, "ko", is_messages=True)
    assert len(problems) == 1 and "['무엇']" in problems[0] and "['what']" in problems[0]


def test_a_mo_file_that_is_not_its_po_compiled_is_named(monkeypatch, tmp_path):
    po = translation.messages_catalog_path("ko")
    stale = tmp_path / "deepnet.mo"
    stale.write_bytes(b"not this")
    monkeypatch.setattr(translation, "compiled_catalogs", lambda: [("ko", po, stale, read_catalog(po, "ko"))])
    assert any("deepnet.mo is older than its .po" in p for p in translation.check(REPO))


def test_an_f_string_message_is_refused_at_extraction(tmp_path):
    package = tmp_path / "deepnet"
    package.mkdir()
    (package / "bad.py").write_text('name = "x"\nMESSAGES = {"oops": f"{name} is wrong"}\n')
    with pytest.raises(translation.TranslationError, match="f-string"):
        translation.package_messages(package)


# ---------------------------------------------------------------- the learner's language


def test_the_language_comes_from_set_language_then_the_variable_then_the_notebook(monkeypatch):
    monkeypatch.delenv("DEEPNET_LANG", raising=False)
    assert language.current_language() == "en"
    with language.notebook_language("zh_CN"):
        assert language.current_language() == "zh_CN"
        monkeypatch.setenv("DEEPNET_LANG", "ko_KR.UTF-8")
        assert language.current_language() == "ko"
        language.set_language("en")
        assert language.current_language() == "en"


def test_an_unknown_language_is_refused_with_the_ones_there_are():
    with pytest.raises(ValueError, match='"ko"') as error:
        language.set_language("kr")
    assert "'kr'" in str(error.value) and '"zh_CN"' in str(error.value)


def test_a_message_without_translation_stays_english():
    language.set_language("ko")
    assert language.translate("a sentence no catalog has") == "a sentence no catalog has"
    assert language.fill("{n} of {m}", n=1, m=2) == "1 of 2"


@pytest.mark.parametrize("code, script", [("ko", HANGUL), ("zh_CN", HAN)])
def test_every_engine_message_reads_in_the_language(code, script):
    language.set_language(code)
    for key, template in check_messages.MESSAGES.items():
        values = {name: "x" for name in names(template)}
        text = check_messages.say(key, **values)
        if len(re.findall(r"[A-Za-z]{4,}", re.sub(r"\{[^}]*\}|`[^`]*`", "", template))) >= 3:
            assert script.search(text), (key, text)


RELU_INVERTED = """
class Relu:
    def forward(self, x):
        self.mask = x <= 0
        return np.maximum(0, x)

    def backward(self, dout):
        return np.where(self.mask, dout, 0)
"""


def learner_class(source, name):
    scope = {"np": np}
    exec(source, scope)
    return scope[name]


def sigmoid_without_dout():
    class Sigmoid:
        def forward(self, x):
            self.out = 1 / (1 + np.exp(-x))
            return self.out

        def backward(self, dout):
            return self.out * (1 - self.out)

    return Sigmoid


def softmax_without_keepdims(x):
    e = np.exp(x - np.max(x, axis=-1, keepdims=True))
    return e / np.sum(e, axis=-1)


@pytest.mark.parametrize(
    "check, learner",
    [
        (check_relu, learner_class(RELU_INVERTED, "Relu")),
        (check_sigmoid, sigmoid_without_dout()),
        (check_softmax, softmax_without_keepdims),
    ],
    ids=["relu inverted", "sigmoid without dout", "softmax without keepdims"],
)
@pytest.mark.parametrize("code, script", [("ko", HANGUL), ("zh_CN", HAN)])
def test_a_wrong_answer_is_diagnosed_in_the_language_with_the_same_cause(check, learner, code, script):
    language.set_language("en")
    english = check(learner)
    language.set_language(code)
    translated = check(learner)
    assert translated.status == english.status == "fail"
    assert len(translated.messages) == len(english.messages)
    first = translated.messages[0]
    assert script.search(first) and script.search(translated.headline()), str(translated)
    # The same values are named: the translation keeps every placeholder (numbers, shapes, code).
    code_spans = re.findall(r"`[^`]+`|\([\d, ]+\)|[\w.]+\(\w*\)", english.messages[0])
    assert code_spans and all(span in first for span in code_spans), (code_spans, first)


@pytest.mark.parametrize("code", CODES)
def test_figures_with_words_in_the_language_draw_without_a_missing_glyph(code):
    from deepnet.figures import plots, training_plots
    from deepnet.figures.fonts import covered_characters

    language.set_language(code)
    figures = [
        plots.relu_curves(np.linspace(-2, 2, 5), np.maximum(0, np.linspace(-2, 2, 5)), np.ones(5)),
        plots.softmax_bars(
            np.array([0.3, 2.9, 4.0]),
            np.array([0.018, 0.245, 0.737]),
            1,
            np.array([0.018, -0.755, 0.737]),
            1.4,
        ),
        plots.apple_graph(100, 2, 1.1, 200, 220, 2.2, 110, 200, 1.1, 1),
        training_plots.gradient_timing(1.0, 0.001, 100),
    ]
    words = "".join(
        text.get_text() for figure in figures for text in figure.findobj(lambda a: hasattr(a, "get_text"))
    )
    assert (HANGUL if code == "ko" else HAN).search(words)
    for figure in figures:
        FigureCanvasAgg(figure).draw()  # a "Glyph missing" UserWarning is an error here
    missing = {c for c in words if ord(c) > 0x2E7F} - covered_characters()
    assert not missing, missing


def test_the_bundled_font_has_every_character_the_translations_use():
    assert translation.missing_glyphs() == []


def test_the_cli_speaks_the_language(monkeypatch):
    monkeypatch.setenv("DEEPNET_LANG", "ko")
    help_text = cli.build_parser().format_help()
    assert HANGUL.search(help_text) and "deepnet exercises" in help_text


def test_the_language_needs_no_babel_at_run_time():
    code = (
        "import sys; sys.modules['babel'] = None; import deepnet; deepnet.set_language('ko');"
        "from deepnet.course.checks.messages import say; print(say('status_pass'))"
    )
    import subprocess

    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert HANGUL.search(result.stdout)


# ---------------------------------------------------------------- a learner's loop in Korean

WRONG_RELU = """
class Relu:
    def __init__(self):
        self.mask = None

    def forward(self, x):
        self.mask = x <= 0
        return np.maximum(0, x)

    def backward(self, dout):
        return np.where(self.mask, dout, 0)  # the mask the wrong way round
"""


def korean_submission(tmp_path):
    """The Korean 5.5 exercise as a learner hands it in: Sigmoid right, Relu wrong."""
    notebook = json.loads(
        (REPO / "exercises" / "ko" / "5.5-activation-layers.ipynb").read_text(encoding="utf-8")
    )
    solution = json.loads(
        (REPO / "solutions" / "ko" / "5.5-activation-layers.ipynb").read_text(encoding="utf-8")
    )
    answers = {c["id"]: c["source"] for c in solution["cells"] if exercises.is_exercise_cell(c)}
    answers["relu"] = WRONG_RELU
    for cell in notebook["cells"]:
        if cell["id"] in answers:
            cell["source"] = answers[cell["id"]]
    path = tmp_path / "학생-5.5.ipynb"
    path.write_text(json.dumps(notebook, ensure_ascii=False), encoding="utf-8")
    return path


def test_a_korean_exercise_is_graded_against_the_korean_solution_with_a_korean_table(tmp_path, monkeypatch):
    monkeypatch.delenv("DEEPNET_LANG", raising=False)
    path = korean_submission(tmp_path)
    out = io.StringIO()
    with redirect_stdout(out):
        status = cli.main(["grade", "--format", "table", str(path), str(path)])
    table = out.getvalue()
    assert status == 1
    with language.language_for("ko"):
        from deepnet.course import reports

        header = language.translate(reports.MESSAGES["header"])
        failed = language.translate(reports.MESSAGES["status_fail"])
        inverted = language.translate(
            __import__("deepnet.course.checks.activation_layers", fromlist=["MESSAGES"]).MESSAGES[
                "relu_inverted"
            ]
        )
    assert HANGUL.search(header) and header in table and failed in table
    assert inverted in table, table  # the cause, in Korean
    out = io.StringIO()
    with redirect_stdout(out):
        cli.main(["grade", "--format", "json", str(path)])
    report = json.loads(out.getvalue())["notebooks"][0]
    assert report["language"] == "ko" and report["solution"] == "5.5-activation-layers.ipynb"
    relu = next(e for e in report["exercises"] if e["name"] == "Relu")
    assert relu["status"] == "fail" and HANGUL.search(relu["messages"][0])
    # Compared with the Korean solution's outputs: only the cell that runs the wrong Relu differs.
    assert [m["cell"] for m in report["outputs"]["mismatches"]] == ["relu-try"]


def test_deepnet_lang_overrides_the_notebooks_language_in_the_report(tmp_path, monkeypatch):
    monkeypatch.setenv("DEEPNET_LANG", "en")
    out = io.StringIO()
    with redirect_stdout(out):
        cli.main(["grade", "--format", "table", str(korean_submission(tmp_path))])
    assert "exercise" in out.getvalue() and "FAIL" in out.getvalue()


@pytest.mark.parametrize(
    "path",
    sorted(REPO.glob("*/ko/*.ipynb")) + sorted(REPO.glob("*/zh_CN/*.ipynb")),
    ids=lambda path: path.relative_to(REPO).as_posix(),
)
def test_every_relative_link_of_a_translated_notebook_leads_to_a_file(path):
    notebook = json.loads(path.read_text(encoding="utf-8"))
    for cell in notebook["cells"]:
        if cell["cell_type"] == "markdown":
            for target in re.findall(r"\]\(([^)\s]+)\)", "".join(cell["source"])):
                if not re.match(r"[a-z][a-z0-9+.-]*:|#", target):
                    assert (path.parent / target.split("#")[0]).exists(), (cell["id"], target)


def test_a_translated_exercise_tells_the_learner_to_grade_the_translated_file():
    for code in CODES:
        text = (REPO / "exercises" / code / "5.5-activation-layers.ipynb").read_text(encoding="utf-8")
        assert f"deepnet grade exercises/{code}/5.5-activation-layers.ipynb" in text
        assert "deepnet grade exercises/5.5-activation-layers.ipynb" not in text
