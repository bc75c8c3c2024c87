"""The chat pipeline's deterministic core: parse a message into constraints, select candidates in
code, and answer without a model. Pure functions over the public menu payload; no I/O besides the
vocabulary file."""
