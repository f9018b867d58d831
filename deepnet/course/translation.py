"""`deepnet translate`: the course in other languages, generated from the English notebooks.

The English notebooks in chapters/ and solutions/ are the only edited source. Their markdown is
cut into blocks (at blank lines outside code fences and $$ display math), and each block is one
gettext message whose context names the notebook, the cell id and the block number:

    msgctxt "chapters/5.5-activation-layers.ipynb#relu-text#2"

    translations/templates/chapters/5.5-activation-layers.pot    extract: every English block
    translations/ko/chapters/5.5-activation-layers.po            update: merged, as pybabel does
    chapters/ko/5.5-activation-layers.ipynb                      build: generated, never edited

Translators edit only the .po files. A block whose English changed keeps its old translation,
marked fuzzy, until a translator looks at it again. Built notebooks have the English code cells
byte for byte, the translated markdown, a cell that selects the language and a Colab badge that
opens the translated copy; their code cells keep the outputs of the last run when their source
is unchanged (run scripts/execute_notebooks.py for the rest). Exercises come from the translated
solutions through `deepnet exercises`, as in English.

The learner-facing messages of the package (checks, grading, sliders, this command line) are the
values of the MESSAGES dicts and the strings marked N_("...") in deepnet/; they go to
deepnet/locale/deepnet.pot, and each language's .po is compiled into the .mo that ships in the
package (see deepnet.course.language).

`check` fails (exit 1) naming each problem: a stale template, a block or message that is missing
or fuzzy, placeholders that differ from the English, a .mo that is not its .po compiled, or a
generated notebook that is not what `build` writes. Babel is needed here only, not by learners.
"""

import ast
import datetime
import io
import json
import posixpath
import re
import string
from pathlib import Path, PurePosixPath

from deepnet.course import colab, language
from deepnet.course.exercises import ExerciseError, notebook_text, read_notebook, source_lines
from deepnet.course.language import N_, translate

SOURCE_FOLDERS = ("chapters", "solutions")
FIXED_DATE = datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc)
CATALOG_FOLDER = "translations"
TEMPLATE_FOLDER = "templates"
DOMAIN = "deepnet"
# Which English notebooks (by name, without .ipynb) each language must translate; None: all.
LANGUAGES = {"ko": None, "zh_CN": ("5.5-activation-layers",)}
LANGUAGE_CELL_ID = "language"
NO_TRANSLATION_CELLS = (colab.BADGE_CELL_ID,)  # rebuilt for each copy by deepnet.course.colab

MESSAGES = {
    "language_cell": "# The explanations and messages of this notebook are in {language_name}. "
    "For English, open the notebook of the same name one folder up.",
    "stale_template": "{path} is stale: {detail}; run `deepnet translate extract`, then "
    "`deepnet translate update`",
    "new_block": "block {context} is new or its English changed",
    "gone_block": "block {context} is no longer in the English notebook",
    "new_message": "message {message!r} is new or its English changed",
    "gone_message": "message {message!r} is no longer in the package",
    "no_catalog": "{path} is missing: run `deepnet translate update`",
    "no_template": "{path} is missing: run `deepnet translate extract`",
    "not_merged": "{path} is not merged with its template ({count} messages differ, the first "
    "{context}): run `deepnet translate update`",
    "untranslated": "{path}: block {context} is not translated yet",
    "untranslated_message": "{path}: message {message!r} is not translated yet",
    "fuzzy": "{path}: {context} is marked fuzzy (its English changed since it was translated): "
    "update the translation, then delete the fuzzy flag",
    "placeholders": "{path}: the translation of {message!r} has the placeholders {got}, but the "
    "English has {expected}: keep every {{name}} exactly as it is",
    "stale_mo": "{path} is older than its .po (it is not what the .po compiles to): "
    "run `deepnet translate build`",
    "stale_notebook": "{path} is not what `deepnet translate build` writes ({detail}): run "
    "`deepnet translate build`; never edit a generated notebook",
    "missing_notebook": "{path} is missing: run `deepnet translate build`",
    "f_string": "{path}:{line}: a message is an f-string, which gettext cannot look up: write a "
    "template with named placeholders and fill it with .format()",
    "not_a_catalog": "{path} is not a readable catalog: {error}",
    "cell_changed": "cell {cell} differs",
    "font_missing": "{path} has no glyph for {characters}, which translated messages use: run "
    "`deepnet translate build` on a machine with Noto Sans CJK (Debian: apt install fonts-noto-cjk)",
    "no_font_source": "the figures' font needs {characters}, but no Noto Sans CJK font was found to take "
    "them from; install it (Debian: apt install fonts-noto-cjk) and run `deepnet translate build` again",
    "cells_differ": "it has {got} cells, the build has {want}",
    "metadata_differs": "its metadata differs",
}

LANGUAGE_NAMES = {"ko": N_("Korean"), "zh_CN": N_("Simplified Chinese"), "en": N_("English")}


def say(key, /, **values):
    """A message of this module in the current language. Its values are file paths (shown relative
    to the current folder), contexts and English msgids, shown as they are (not translated)."""
    return translate(MESSAGES[key]).format(**{name: shown(value) for name, value in values.items()})


def shown(value):
    if isinstance(value, Path) and value.is_absolute():
        try:
            return value.relative_to(Path.cwd())
        except ValueError:
            return value
    return value


class TranslationError(Exception):
    """A catalog or notebook that cannot be read, with a one-line reason."""


# --- Markdown blocks ---------------------------------------------------------------------------


def split_blocks(text):
    """Cut markdown into [(block, separator), ...] with ''.join(b + s) == text: a block ends at a
    blank line, except inside a ``` or ~~~ code fence or a $$ display-math block."""
    pieces, current, separator = [], [], []
    fence = None
    in_math = False
    for line in text.splitlines(keepends=True):
        stripped = line.strip()
        if not stripped and fence is None and not in_math:
            if current:
                separator.append(line)
            elif pieces:
                pieces[-1][1].append(line)
            else:
                current.append(line)  # leading blank lines belong to the first block
            continue
        if separator:
            pieces.append(("".join(current), separator))
            current, separator = [], []
        current.append(line)
        if fence is None and not in_math and re.match(r"(```|~~~)", stripped):
            fence = stripped[:3]
        elif fence is not None and stripped.startswith(fence):
            fence = None
        elif fence is None and stripped.count("$$") % 2 == 1:
            in_math = not in_math
    if current or separator:
        pieces.append(("".join(current), separator))
    return [(block, "".join(separator)) for block, separator in pieces]


def needs_translation(block):
    """False for a block with no words to translate: one code fence, or display math alone."""
    text = block.strip()
    if re.fullmatch(r"(```|~~~).*?\n.*(```|~~~)", text, flags=re.DOTALL):
        return text.count("```") + text.count("~~~") != 2  # one fence and nothing else: code
    return not re.fullmatch(r"\$\$.*\$\$", text, flags=re.DOTALL) and bool(text)


def same_line_ends(translation, english):
    """The translation with the English block's trailing newlines (a PO editor may drop or add one,
    which would join two blocks or open a gap between them)."""
    ending = english[len(english.rstrip("\n")) :]
    return translation.rstrip("\n") + ending


LINK = re.compile(r"(\]\()([^)\s]+)(\))")


def relinked(markdown, english, code):
    """Markdown links of an English notebook rewritten for its copy in folder/<code>/: a link to a
    notebook that has a copy in this language goes to the copy, any other relative link one folder
    further up (chapters/ko/X links ../../exercises/ko/Y where exercises/Y is translated)."""

    def move(match):
        target = match.group(2)
        if re.match(r"[a-z][a-z0-9+.-]*:|#|/", target):  # an address, an anchor, an absolute path
            return match.group(0)
        path, _, anchor = target.partition("#")
        in_repository = posixpath.normpath(posixpath.join(english.parent.as_posix(), path))
        folder, _, name = in_repository.partition("/")
        if folder in ("chapters", "solutions", "exercises") and "/" not in name and name.endswith(".ipynb"):
            if code in languages_of(PurePosixPath(name)):
                in_repository = f"{folder}/{code}/{name}"
        new = posixpath.relpath(in_repository, translated_path(english, code).parent.as_posix())
        return match.group(1) + new + ("#" + anchor if anchor else "") + match.group(3)

    return LINK.sub(move, markdown)


NOTEBOOK_PATH = re.compile(r"(?<![\w/.-])(chapters|solutions|exercises)/([\w.-]+\.ipynb)\b")


def with_translated_paths(markdown, code):
    """Paths from the course's top folder (`deepnet grade exercises/5.5-activation-layers.ipynb`,
    in text or in code) name the copy in this language when there is one: exercises/ko/5.5-…."""

    def move(match):
        folder, name = match.groups()
        return f"{folder}/{code}/{name}" if code in languages_of(PurePosixPath(name)) else match.group(0)

    return NOTEBOOK_PATH.sub(move, markdown)


def block_context(notebook_path, cell_id, number):
    return f"{notebook_path}#{cell_id}#{number}"


def notebook_blocks(notebook_path, notebook):
    """[(context, English block)] of the markdown of a notebook (its path relative to the course)."""
    blocks = []
    for cell in notebook["cells"]:
        if cell.get("cell_type") != "markdown" or cell.get("id") in NO_TRANSLATION_CELLS:
            continue
        source = "".join(cell.get("source", ""))
        for number, (block, _separator) in enumerate(split_blocks(source), start=1):
            if needs_translation(block):
                blocks.append((block_context(notebook_path, cell.get("id"), number), block))
    return blocks


# --- Where things are --------------------------------------------------------------------------


def english_notebooks(root):
    """Relative paths of the English source notebooks: chapters/X.ipynb and solutions/X.ipynb."""
    return [
        path.relative_to(root)
        for folder in SOURCE_FOLDERS
        for path in sorted((root / folder).glob("*.ipynb"))
    ]


def template_path(root, english):
    return root / CATALOG_FOLDER / TEMPLATE_FOLDER / english.with_suffix(".pot")


def catalog_path(root, code, english):
    return root / CATALOG_FOLDER / code / english.with_suffix(".po")


def translated_path(english, code):
    """chapters/X.ipynb -> chapters/ko/X.ipynb."""
    return english.parent / code / english.name


def languages_of(english):
    """The language codes that must translate this English notebook."""
    return [code for code, names in LANGUAGES.items() if names is None or english.stem in names]


def messages_template_path():
    return language.LOCALE_DIR / f"{DOMAIN}.pot"


def messages_catalog_path(code):
    return language.LOCALE_DIR / code / "LC_MESSAGES" / f"{DOMAIN}.po"


# --- Catalogs (Babel) --------------------------------------------------------------------------


def babel():
    try:
        from babel.messages import catalog, mofile, pofile
    except ImportError:
        raise TranslationError("deepnet translate needs Babel: pip install babel") from None
    return catalog, pofile, mofile


def new_catalog(code=None, project="deepnet course"):
    catalog, _, _ = babel()
    return catalog.Catalog(
        locale=code,
        project=project,
        version=None,
        domain=DOMAIN,
        charset="utf-8",
        fuzzy=False,
        header_comment="# " + project,
    )


def read_catalog(path, code=None):
    _, pofile, _ = babel()
    try:
        with open(path, "rb") as file:
            return pofile.read_po(file, locale=code, domain=DOMAIN)
    except OSError as error:
        raise TranslationError(say("no_catalog", path=path)) from error
    except Exception as error:  # Babel raises several kinds for a broken file
        raise TranslationError(say("not_a_catalog", path=path, error=error)) from None


def catalog_bytes(catalog, template=False):
    """A .po/.pot file's bytes, with no dates in it (they would change on every run)."""
    _, pofile, _ = babel()
    catalog.creation_date = catalog.revision_date = None
    buffer = io.BytesIO()
    pofile.write_po(
        buffer,
        catalog,
        width=0,
        omit_header=False,
        ignore_obsolete=True,
        include_previous=not template,
        sort_output=False,
    )
    text = buffer.getvalue().decode("utf-8")
    text = re.sub(r'"(POT-Creation-Date|PO-Revision-Date): [^"]*\\n"\n', "", text)
    return text.encode("utf-8")


def mo_bytes(catalog):
    """The compiled catalog. Its header's dates are fixed: Babel would write the time of reading,
    and a .mo that changes on every build could never be checked against its .po."""
    _, _, mofile = babel()
    catalog.creation_date = catalog.revision_date = FIXED_DATE
    buffer = io.BytesIO()
    mofile.write_mo(buffer, catalog, use_fuzzy=False)
    return buffer.getvalue()


def write_if_changed(path, data):
    """Write bytes to path (through a temporary file) unless it holds them already; True if written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists() and path.read_bytes() == data:
        return False
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_bytes(data)
    temporary.replace(path)
    return True


def entries(catalog):
    """{(msgid, context): message} of a catalog, without its header."""
    return {(message.id, message.context): message for message in catalog if message.id}


# --- The package's messages --------------------------------------------------------------------


def package_messages(package_dir=None):
    """[(English template, 'file:line', key or None)] of every learner-facing message in deepnet/:
    the values of module-level MESSAGES dicts and the strings marked N_("...").
    Raises TranslationError for a message written as an f-string."""
    package_dir = Path(package_dir or Path(__file__).resolve().parents[1])
    found = []
    for path in sorted(package_dir.rglob("*.py")):
        relative = path.relative_to(package_dir.parent).as_posix()
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Assign)
                and any(isinstance(target, ast.Name) and target.id == "MESSAGES" for target in node.targets)
                and isinstance(node.value, ast.Dict)
            ):
                for key, value in zip(node.value.keys, node.value.values, strict=True):
                    found.append(
                        (
                            literal_message(value, relative),
                            f"{relative}:{value.lineno}",
                            ast.literal_eval(key) if key is not None else None,
                        )
                    )
            elif (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "N_"
                and node.args
            ):
                found.append((literal_message(node.args[0], relative), f"{relative}:{node.lineno}", None))
    return found


def literal_message(node, relative):
    if isinstance(node, ast.JoinedStr):
        raise TranslationError(say("f_string", path=relative, line=node.lineno))
    value = ast.literal_eval(node)
    if not isinstance(value, str):
        raise TranslationError(say("f_string", path=relative, line=node.lineno))
    return value


def placeholders(text):
    """The named {placeholders} of a template, as a sorted list (doubled braces are text)."""
    try:
        return sorted({name for _, name, _, _ in string.Formatter().parse(text) if name is not None})
    except ValueError:
        return ["<unbalanced braces>"]


# --- extract / update --------------------------------------------------------------------------


def notebook_template(root, english):
    catalog = new_catalog()
    for context, block in notebook_blocks(english.as_posix(), read_notebook(root / english)):
        catalog.add(block, context=context)
    return catalog


def messages_template():
    catalog = new_catalog(project="deepnet")
    for message, where, key in package_messages():
        existing = catalog.get(message)
        if existing is not None:
            existing.locations.append((where.split(":")[0], int(where.split(":")[1])))
            continue
        comments = [f"key: {key}"] if key else []
        catalog.add(
            message,
            locations=[(where.split(":")[0], int(where.split(":")[1]))],
            auto_comments=comments,
            flags=("python-brace-format",) if placeholders(message) else (),
        )
    return catalog


def all_templates(root):
    """[(template path, catalog, [(language code, .po path)])] for the notebooks and the messages."""
    found = []
    for english in english_notebooks(root):
        found.append(
            (
                template_path(root, english),
                notebook_template(root, english),
                [(code, catalog_path(root, code, english)) for code in languages_of(english)],
            )
        )
    found.append(
        (
            messages_template_path(),
            messages_template(),
            [(code, messages_catalog_path(code)) for code in LANGUAGES],
        )
    )
    return found


def extract(root):
    """Write every template; returns the paths written."""
    return [
        path
        for path, catalog, _ in all_templates(root)
        if write_if_changed(path, catalog_bytes(catalog, True))
    ]


def merged(template, path, code):
    """The catalog at path merged with the template as `pybabel update` does: translations kept,
    a block whose English changed fuzzy (with its previous English), gone blocks dropped."""
    catalog = read_catalog(path, code) if path.exists() else new_catalog(code)
    catalog.update(template, update_header_comment=False)
    return catalog


def update(root):
    """Extract, then merge every language's catalog with its template; returns the paths written."""
    written = extract(root)
    for _, template, catalogs in all_templates(root):
        for code, path in catalogs:
            if write_if_changed(path, catalog_bytes(merged(template, path, code))):
                written.append(path)
    return written


# --- build -------------------------------------------------------------------------------------


def language_cell(code):
    with language.language_for(code):
        comment = say("language_cell", language_name=translate(LANGUAGE_NAMES[code]))
    return {
        "cell_type": "code",
        "execution_count": None,
        "id": LANGUAGE_CELL_ID,
        "metadata": {},
        "outputs": [],
        "source": source_lines(f'{comment}\nimport deepnet\n\ndeepnet.set_language("{code}")'),
    }


def translated_notebook(root, english, code, catalog):
    """The notebook `build` writes for one English notebook and language; also returns the contexts
    of the blocks that fell back to English (untranslated or fuzzy)."""
    notebook = read_notebook(root / english)
    target = translated_path(english, code)
    previous = read_notebook(root / target) if (root / target).exists() else {"cells": []}
    previous_cells = {cell.get("id"): cell for cell in previous["cells"]}
    missing = []
    cells = []
    for cell in notebook["cells"]:
        cell = json.loads(json.dumps(cell))
        source = "".join(cell.get("source", ""))
        if cell.get("cell_type") == "markdown" and cell.get("id") not in NO_TRANSLATION_CELLS:
            parts = []
            for number, (block, separator) in enumerate(split_blocks(source), start=1):
                if needs_translation(block):
                    context = block_context(english.as_posix(), cell.get("id"), number)
                    message = catalog.get(block, context=context)
                    if message is None or not message.string or message.fuzzy:
                        missing.append(context)
                    else:
                        block = same_line_ends(message.string, block)
                parts.append(block + separator)
            markdown = with_translated_paths(relinked("".join(parts), english, code), code)
            cell["source"] = source_lines(markdown)
        elif cell.get("cell_type") == "code":
            old = previous_cells.get(cell.get("id"))
            if old is not None and "".join(old.get("source", "")) == source:
                cell["outputs"], cell["execution_count"] = old.get("outputs", []), old.get("execution_count")
        cells.append(cell)
    setup_at = next((i for i, cell in enumerate(cells) if cell.get("id") == colab.SETUP_CELL_ID), -1)
    cell = language_cell(code)
    old = previous_cells.get(LANGUAGE_CELL_ID)
    if old is not None and "".join(old.get("source", "")) == "".join(cell["source"]):
        cell["outputs"], cell["execution_count"] = old.get("outputs", []), old.get("execution_count")
    cells.insert(setup_at + 1, cell)
    notebook["cells"] = cells
    notebook["metadata"]["language"] = code
    colab.add_colab_cells(notebook, target.as_posix())
    return notebook, missing


def compiled_catalogs():
    """[(code, .po path, .mo path, catalog)] of the package's message catalogs that exist."""
    found = []
    for code in LANGUAGES:
        path = messages_catalog_path(code)
        if path.exists():
            found.append((code, path, path.with_suffix(".mo"), read_catalog(path, code)))
    return found


def build(root):
    """Compile the message catalogs into .mo files, then write every translated notebook; returns
    (paths written, [(notebook, contexts that fell back to English)])."""
    written, fallbacks = [], []
    for _code, _po, mo, catalog in compiled_catalogs():
        if write_if_changed(mo, mo_bytes(catalog)):
            written.append(mo)
    language.forget_catalogs()
    font = build_font()
    if font:
        written.append(font)
    for english in english_notebooks(root):
        for code in languages_of(english):
            path = catalog_path(root, code, english)
            if not path.exists():
                continue
            notebook, missing = translated_notebook(root, english, code, read_catalog(path, code))
            target = root / translated_path(english, code)
            if write_if_changed(target, notebook_text(notebook).encode("utf-8")):
                written.append(target)
            if missing:
                fallbacks.append((target, missing))
    return written, fallbacks


# --- The figures' font --------------------------------------------------------------------------

FONT_SOURCES = ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",)


def common_hangul():
    """The 2,350 Hangul syllables of KS X 1001 (what EUC-KR can write): nearly all of modern Korean."""
    return {bytes([high, low]).decode("euc_kr") for high in range(0xB0, 0xC9) for low in range(0xA1, 0xFF)}


def font_characters():
    """The characters the figures' font must have: common Hangul and every non-ASCII character of
    the translated messages."""
    needed = common_hangul()
    for _code, _po, _mo, catalog in compiled_catalogs():
        for message in catalog:
            if message.id and message.string:
                needed |= {character for character in message.string if ord(character) > 0x7F}
    return needed


def missing_glyphs():
    """Characters of the translations that neither matplotlib's DejaVu Sans nor the bundled font has."""
    from deepnet.figures import fonts

    have = fonts.covered_characters(fonts.default_font_file())
    if fonts.FONT_FILE.exists():
        have |= fonts.covered_characters()
    return sorted(character for character in font_characters() - have if not character.isspace())


def build_font():
    """Rebuild the figures' font as a subset of the system's Noto Sans CJK SC when the messages need a
    character it lacks; returns the path if written."""
    from deepnet.figures import fonts

    missing = missing_glyphs()
    if not missing:
        return None
    source = next((Path(path) for path in FONT_SOURCES if Path(path).exists()), None)
    if source is None:
        raise TranslationError(say("no_font_source", characters="".join(missing[:20])))
    from fontTools import subset
    from fontTools.ttLib import TTCollection

    with TTCollection(str(source), lazy=True) as collection:
        names = [font["name"].getDebugName(1) for font in collection.fonts]
    options = subset.Options()
    options.font_number = names.index(fonts.FAMILY)
    font = subset.load_font(str(source), options)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=[ord(character) for character in font_characters()])
    subsetter.subset(font)
    buffer = io.BytesIO()
    subset.save_font(font, buffer, options)
    write_if_changed(fonts.FONT_FILE, buffer.getvalue())
    return fonts.FONT_FILE


# --- check -------------------------------------------------------------------------------------


def without_outputs(notebook):
    notebook = json.loads(json.dumps(notebook))
    for cell in notebook.get("cells", []):
        if cell.get("cell_type") == "code":
            cell["outputs"], cell["execution_count"] = [], None
    notebook.get("metadata", {}).pop("widgets", None)
    return notebook


def notebook_difference(got, want):
    """A short description of how two notebooks differ (outputs aside), or None."""
    got, want = without_outputs(got), without_outputs(want)
    if got == want:
        return None
    if len(got["cells"]) != len(want["cells"]):
        return say("cells_differ", got=len(got["cells"]), want=len(want["cells"]))
    for mine, theirs in zip(got["cells"], want["cells"], strict=True):
        if mine != theirs:
            return say("cell_changed", cell=theirs.get("id"))
    return say("metadata_differs")


def check_catalog(path, template, catalog, code, is_messages):
    """Problems of one language's catalog against its template."""
    problems = []
    want, got = entries(template), entries(catalog)
    differing = [key for key in want if key not in got] + [key for key in got if key not in want]
    if differing:
        first = differing[0][1] or differing[0][0]
        problems.append(say("not_merged", path=path, count=len(differing), context=first))
    for key, message in got.items():
        if key not in want:
            continue
        label = message.id if is_messages else message.context
        if not message.string:
            template_key = "untranslated_message" if is_messages else "untranslated"
            problems.append(say(template_key, path=path, context=label, message=label))
        elif message.fuzzy:
            problems.append(say("fuzzy", path=path, context=repr(label) if is_messages else label))
        elif is_messages and placeholders(message.string) != placeholders(message.id):
            problems.append(
                say(
                    "placeholders",
                    path=path,
                    message=message.id,
                    got=placeholders(message.string),
                    expected=placeholders(message.id),
                )
            )
    return problems


def check(root):
    """Every problem of the translations, as lines naming the file and the fix ([] when all is well)."""
    problems = []
    for path, template, catalogs in all_templates(root):
        is_messages = path == messages_template_path()
        if not path.exists():
            problems.append(say("no_template", path=path))
        else:
            stored = entries(read_catalog(path))
            now = entries(template)
            changed = [key for key in now if key not in stored]
            gone = [key for key in stored if key not in now]
            if changed or gone:
                msgid, context = (changed or gone)[0]
                if is_messages:
                    detail = say("new_message" if changed else "gone_message", message=msgid)
                else:
                    detail = say("new_block" if changed else "gone_block", context=context)
                problems.append(say("stale_template", path=path, detail=detail))
        for code, po in catalogs:
            if not po.exists():
                problems.append(say("no_catalog", path=po))
                continue
            problems += check_catalog(po, template, read_catalog(po, code), code, is_messages)
    for _code, _po, mo, catalog in compiled_catalogs():
        if not mo.exists() or mo.read_bytes() != mo_bytes(catalog):
            problems.append(say("stale_mo", path=mo))
    language.forget_catalogs()
    missing = missing_glyphs()
    if missing:
        from deepnet.figures import fonts

        problems.append(
            say("font_missing", path=fonts.FONT_FILE, characters="".join(missing[:20]))
        )
    for english in english_notebooks(root):
        for code in languages_of(english):
            po = catalog_path(root, code, english)
            if not po.exists():
                continue
            target = translated_path(english, code)
            if not (root / target).exists():
                problems.append(say("missing_notebook", path=target))
                continue
            want, _missing = translated_notebook(root, english, code, read_catalog(po, code))
            try:
                got = read_notebook(root / target)
            except ExerciseError as error:
                problems.append(str(error))
                continue
            difference = notebook_difference(got, want)
            if difference:
                problems.append(say("stale_notebook", path=target, detail=difference))
    return problems
