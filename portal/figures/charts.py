"""Bar charts drawn on the server as SVG: no script, no library from elsewhere, readable at
360 px (the bars are horizontal, one row per label, so a long name wraps nowhere). Each chart
is shown with its data table, which screen readers read instead of the drawing."""

from dataclasses import dataclass

ROW = 22  # the height of one bar, in the drawing's units
GAP = 10  # between two labels' groups of bars
LABEL = 110  # the width kept for the labels on the left
WIDTH = 320  # the drawing's width; it scales to the screen
COLOURS = ("#8a1550", "#0b5ed7", "#146c43", "#b35c00", "#5a32a3", "#0f766e")


@dataclass(frozen=True)
class Bar:
    y: int
    width: float
    value: object  # as written beside the bar
    colour: str


@dataclass(frozen=True)
class Row:
    label: str
    y: int  # of the label's text
    bars: list[Bar]


@dataclass(frozen=True)
class Chart:
    title: str
    series: list[tuple[str, str]]  # (name, colour)
    rows: list[Row]
    height: int
    label_width: int = LABEL
    width: int = WIDTH
    table: list[tuple[str, list]] = ()  # (label, values written) for the data table


def bar_chart(
    title: str, series: list[str], rows: list[tuple[str, list[int]]], written=None
) -> Chart:
    """One horizontal bar per series for each row's label; `written` writes a value (money,
    per cent) as the table and the bar's caption show it."""
    written = written or str
    largest = max((v for _, values in rows for v in values), default=0) or 1
    room = WIDTH - LABEL - 60  # leave space for the figure after the longest bar
    drawn, y = [], 0
    for label, values in rows:
        bars = []
        for i, v in enumerate(values):
            bars.append(Bar(y + i * ROW, room * v / largest, written(v), COLOURS[i % len(COLOURS)]))
        drawn.append(Row(label, y + ROW * len(values) // 2, bars))
        y += ROW * len(values) + GAP
    return Chart(
        title=title,
        series=[(name, COLOURS[i % len(COLOURS)]) for i, name in enumerate(series)],
        rows=drawn,
        height=max(y, ROW),
        table=[(label, [written(v) for v in values]) for label, values in rows],
    )
