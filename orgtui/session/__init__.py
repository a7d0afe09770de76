"""The interactive session without Textual: what the screen shows of a snapshot (`view`:
verdicts for the destination, counts, the filter's index), the filter's terms
(`search`), the table's sort orders and cells (`table_model`), and which write dialog may
open on what (`gates`). Pure code, tested without a terminal; the UI renders it."""
