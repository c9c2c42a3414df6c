# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The CQL (Contextual Query Language, CQL-V2.0) subset of the Learning Repository search
(learning-repository.txt, "CQL query notes"): a small recursive-descent parser and an
evaluator over a learning object's latest version.

NOTE: emulator mechanics: the PyPI package ``cql-parser`` (the only CQL parser there) calls its
own prefix handling "work-in-progress ... needs to be finished before using in real world
scenarios", has had no release since 2023 and builds PLY tables at run time; the subset the
service accepts is small, so the emulator parses it itself.

Accepted (everything else answers ``Invalid CQL query: ...``)::

    query      ::= ""                                  (every object)
                 | cqlQuery ["sortBy" sortKey+]
    cqlQuery   ::= scoped (("and" | "or") scoped)*     (left to right, equal precedence)
    scoped     ::= "(" cqlQuery ")" | index relation term | term
    index      ::= dc.title | dc.description | dc.subject | cql.serverChoice
    relation   ::= "=" | "==" | "exact" | "any" | "all"
    term       ::= a simple word | a "quoted string" (backslash escapes the next character)
    sortKey    ::= (dc.title | dc.date) ["/sort.ascending" | "/sort.descending"]

Keywords, index names, relations and modifiers are case-insensitive (as in CQL). A bare term
searches ``cql.serverChoice`` with ``=``: the title, the description and the subjects.
NOTE: evidence: the page asks for "CQL-V2.0 query string[s]", and CQL 2.0's grammar puts a
search clause before ``sortBy`` (``sortedQuery ::= ... scopedClause ['sortby' sortSpec]``): a
query made only of ``sortBy ...`` is not CQL and is refused (to list everything, the page says
to pass an empty query; a sort needs a clause).

Matching (``matches(node, record)``, record ``{"title", "description", "keywords"}``):

- ``=`` and ``all``: every word of the term appears among the words of the field
  (case-insensitive; words are runs of letters, digits and ``_``); ``any``: at least one does.
- ``==`` / ``exact``: the whole value equals the term (case-insensitive, surrounding
  whitespace ignored); for ``dc.subject`` one keyword equals it.
- ``dc.subject`` values are the keywords after splitting every keyword string on commas and
  stripping (``["Word1, Word2"]`` -> ``Word1``, ``Word2``).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import List, Optional, Union

INDEXES = ("dc.title", "dc.description", "dc.subject", "cql.serverchoice")
SORT_INDEXES = ("dc.title", "dc.date")
RELATIONS = {"=": "=", "==": "==", "exact": "==", "any": "any", "all": "all"}
SORT_MODIFIERS = {"sort.ascending": False, "sort.descending": True}
BOOLEANS = ("and", "or")
# Reserved words: they cannot be an unquoted term (CQL).
RESERVED = ("and", "or", "not", "prox", "sortby")
_SYMBOLS = ("==", "<>", "<=", ">=", "=", "<", ">", "(", ")", "/")
_WORD_CHARS = re.compile(r'[^\s()=<>"/]+')
_WORD_RE = re.compile(r"\w+")


class CQLError(ValueError):
    """A query outside the accepted subset (the message says why)."""


@dataclass
class Token:
    kind: str  # "word", "quoted", "symbol"
    value: str
    pos: int

    def is_word(self, *words: str) -> bool:
        return self.kind == "word" and self.value.lower() in words


@dataclass
class Clause:
    index: str  # one of INDEXES (lower case)
    relation: str  # "=", "==", "any" or "all"
    term: str


@dataclass
class Boolean:
    op: str  # "and" or "or"
    left: "Node"
    right: "Node"


Node = Union[Clause, Boolean]


@dataclass
class SortKey:
    index: str  # "dc.title" or "dc.date"
    descending: bool = False


@dataclass
class Query:
    where: Optional[Node]  # None: every object
    sort: List[SortKey] = field(default_factory=list)


def tokenize(text: str) -> List[Token]:
    tokens: List[Token] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch.isspace():
            i += 1
            continue
        if ch == '"':
            start, i, value = i, i + 1, []
            while True:
                if i >= len(text):
                    raise CQLError(f"unterminated quoted string at position {start + 1}")
                if text[i] == "\\":
                    if i + 1 >= len(text):
                        raise CQLError(f"unterminated quoted string at position {start + 1}")
                    # NOTE: evidence: CQL 2.0 lets a backslash escape the next character
                    # (\" \\ \* \?); no evidence that the service supports masking, so the
                    # strictest reading: masking characters (* ?) are literal in this subset.
                    value.append(text[i + 1])
                    i += 2
                    continue
                if text[i] == '"':
                    i += 1
                    break
                value.append(text[i])
                i += 1
            tokens.append(Token("quoted", "".join(value), start))
            continue
        for sym in _SYMBOLS:
            if text.startswith(sym, i):
                tokens.append(Token("symbol", sym, i))
                i += len(sym)
                break
        else:
            match = _WORD_CHARS.match(text, i)
            tokens.append(Token("word", match.group(0), i))
            i = match.end()
    return tokens


class _Parser:
    def __init__(self, text: str):
        self.tokens = tokenize(text)
        self.i = 0

    def peek(self, offset: int = 0) -> Optional[Token]:
        j = self.i + offset
        return self.tokens[j] if j < len(self.tokens) else None

    def take(self) -> Token:
        tok = self.peek()
        if tok is None:
            raise CQLError("unexpected end of query")
        self.i += 1
        return tok

    @staticmethod
    def _where(tok: Optional[Token]) -> str:
        return "at the end of the query" if tok is None else \
            f"'{tok.value}' at position {tok.pos + 1}"

    def query(self) -> Query:
        first = self.peek()
        if first is None:
            return Query(None)
        if first.kind == "symbol" and first.value == ">":
            raise CQLError("prefix assignments are not supported")
        if first.is_word("sortby"):
            # a sort needs a search clause (CQL 2.0; see the module docstring)
            raise CQLError("sortBy needs a search clause before it (CQL 2.0); an empty query "
                           "lists every object")
        where = self.cql_query()
        sort: List[SortKey] = []
        tok = self.peek()
        if tok is not None and tok.is_word("sortby"):
            self.take()
            sort = self.sort_keys()
        tok = self.peek()
        if tok is not None:
            raise CQLError(f"unexpected {self._where(tok)}")
        return Query(where, sort)

    def cql_query(self) -> Node:
        left = self.scoped()
        while True:
            tok = self.peek()
            if tok is None or tok.kind != "word" or tok.value.lower() not in RESERVED \
                    or tok.is_word("sortby"):
                return left
            if not tok.is_word(*BOOLEANS):
                raise CQLError(f"unsupported boolean operator '{tok.value}' (only and, or)")
            self.take()
            nxt = self.peek()
            if nxt is not None and nxt.kind == "symbol" and nxt.value == "/":
                raise CQLError("boolean modifiers are not supported")
            left = Boolean(tok.value.lower(), left, self.scoped())

    def _term(self, what: str) -> str:
        tok = self.peek()
        if tok is None or tok.kind == "symbol" or \
                (tok.kind == "word" and tok.value.lower() in RESERVED):
            raise CQLError(f"expected {what}, found {self._where(tok)}")
        self.take()
        return tok.value

    def scoped(self) -> Node:
        tok = self.peek()
        if tok is not None and tok.kind == "symbol" and tok.value == "(":
            self.take()
            node = self.cql_query()
            close = self.peek()
            if close is None or close.kind != "symbol" or close.value != ")":
                raise CQLError(f"expected ')', found {self._where(close)}")
            self.take()
            return node
        if tok is not None and tok.kind == "symbol" and tok.value == ">":
            raise CQLError("prefix assignments are not supported")
        first_tok = tok
        first = self._term("a search term or an index")
        nxt = self.peek()
        named = nxt is not None and nxt.kind == "word" and nxt.value.lower() not in RESERVED
        symbol = nxt is not None and nxt.kind == "symbol" and nxt.value not in ("(", ")", "/")
        if not (named or symbol):
            return Clause("cql.serverchoice", "=", first)  # a bare term
        if first_tok.kind == "quoted":
            raise CQLError(f"an index name cannot be quoted ({self._where(first_tok)})")
        index = first.lower()
        if index not in INDEXES:
            raise CQLError(f"unknown index '{first}' (supported: dc.title, dc.description, "
                           "dc.subject)")
        rel_tok = self.take()
        relation = RELATIONS.get(rel_tok.value.lower())
        if relation is None:
            raise CQLError(f"unsupported relation '{rel_tok.value}' (supported: =, ==, exact, "
                           "any, all)")
        mod = self.peek()
        if mod is not None and mod.kind == "symbol" and mod.value == "/":
            raise CQLError("relation modifiers are not supported")
        term = self._term("a search term")
        if relation != "==" and not words(term):
            # NOTE: no evidence; the strictest reading: a term without any word cannot be
            # word-matched, so it is refused (use == "" for empty values).
            raise CQLError(f"the search term '{term}' has no words to match")
        return Clause(index, relation, term)

    def sort_keys(self) -> List[SortKey]:
        keys: List[SortKey] = []
        while self.peek() is not None:
            tok = self.take()
            if tok.kind != "word" or tok.value.lower() not in SORT_INDEXES:
                raise CQLError(f"unsupported sort index {self._where(tok)} (supported: "
                               "dc.title, dc.date)")
            key = SortKey(tok.value.lower())
            while True:
                slash = self.peek()
                if slash is None or slash.kind != "symbol" or slash.value != "/":
                    break
                self.take()
                mod = self.peek()
                if mod is None or mod.kind != "word" or \
                        mod.value.lower() not in SORT_MODIFIERS:
                    raise CQLError(f"unknown sort modifier {self._where(mod)} (supported: "
                                   "sort.ascending, sort.descending)")
                self.take()
                key.descending = SORT_MODIFIERS[mod.value.lower()]
            keys.append(key)
        if not keys:
            raise CQLError("sortBy needs at least one sort index")
        return keys


def parse(text: str) -> Query:
    """Parse ``text``; raises ``CQLError`` for anything outside the subset."""
    return _Parser(text or "").query()


# --- evaluation -------------------------------------------------------------------------------
def words(text: str) -> List[str]:
    return _WORD_RE.findall(text.casefold())


def subjects(keywords: List[str]) -> List[str]:
    """The keyword values: each keyword string split on commas, stripped, empties dropped."""
    out = []
    for keyword in keywords:
        out.extend(part.strip() for part in keyword.split(",") if part.strip())
    return out


def _values(index: str, record: dict) -> List[str]:
    if index == "dc.title":
        return [record["title"]]
    if index == "dc.description":
        return [record["description"]]
    if index == "dc.subject":
        return subjects(record["keywords"])
    return [record["title"], record["description"], *subjects(record["keywords"])]


def matches(node: Optional[Node], record: dict) -> bool:
    if node is None:
        return True
    if isinstance(node, Boolean):
        if node.op == "and":
            return matches(node.left, record) and matches(node.right, record)
        return matches(node.left, record) or matches(node.right, record)
    values = _values(node.index, record)
    if node.relation == "==":
        wanted = node.term.strip().casefold()
        return any(v.strip().casefold() == wanted for v in values)
    have = set()
    for value in values:
        have.update(words(value))
    wanted_words = words(node.term)
    if node.relation == "any":
        return any(w in have for w in wanted_words)
    return all(w in have for w in wanted_words)  # "=" and "all"


def sort_records(records: list, keys: List[SortKey], ident=lambda r: r["ident"]) -> list:
    """Sort ``records`` (dicts with ``title``, ``date``, ``ident``) by ``keys``; ties (and no
    keys) by IdentId ascending. NOTE: no evidence of the service's collation; titles compare
    case-insensitively (casefold), as the search itself matches (CQL relations are
    case-insensitive)."""
    out = sorted(records, key=ident)
    for key in reversed(keys):
        if key.index == "dc.title":
            out.sort(key=lambda r: r["title"].casefold(), reverse=key.descending)
        else:
            out.sort(key=lambda r: r["date"], reverse=key.descending)
    return out
