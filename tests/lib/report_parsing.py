"""Reads portwarden's reports back with real parsers (Python's html.parser and csv), for the
report tests and the e2e scenario. Standard library only."""
import csv
import html.parser
import io


class Tables(html.parser.HTMLParser):
    """Every <table id=...>: its rows as lists of cell texts (th and td); also counts tags."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tables = {}
        self.tags = {}
        self._table = None
        self._row = None
        self._cell = None

    def handle_starttag(self, tag, attrs):
        self.tags[tag] = self.tags.get(tag, 0) + 1
        attrs = dict(attrs)
        if tag == "table":
            self._table = self.tables.setdefault(attrs.get("id", ""), [])
        elif tag == "tr" and self._table is not None:
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self._row.append("".join(self._cell))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self._table.append(self._row)
            self._row = None
        elif tag == "table":
            self._table = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def parse_html(text):
    parser = Tables()
    parser.feed(text)
    parser.close()
    return parser


def markdown_tables(text):
    """Pipe tables as lists of rows (header first), cells unescaped (\\| and \\x -> x)."""
    tables, current = [], None
    for line in text.splitlines():
        if not line.startswith("|"):
            current = None
            continue
        cells, cell, i = [], "", 1
        while i < len(line):
            c = line[i]
            if c == "\\" and i + 1 < len(line):
                cell += line[i + 1]
                i += 2
                continue
            if c == "|":
                cells.append(cell.strip())
                cell = ""
            else:
                cell += c
            i += 1
        if all(set(c) <= {"-"} and c for c in cells):
            continue  # the header rule
        if current is None:
            current = []
            tables.append(current)
        current.append([c.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
                        for c in cells])
    return tables


def parse_csv(text):
    return list(csv.DictReader(io.StringIO(text, newline="")))
