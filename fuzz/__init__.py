"""Coverage-guided fuzzing of every wire parser with atheris (`make fuzz`).

Each `fuzz_*.py` module has `fuzz_one_input(data)`, which feeds arbitrary
bytes to one parser and raises only when the parser fails in a way it must
not (an exception that is not its own error type, or a broken invariant),
`SEEDS` (valid inputs to start from) and `main()` for atheris. The test
suite runs every `fuzz_one_input` on its seeds (tests/fuzz), so the entry
points cannot rot; atheris is needed only for long runs (`pip install -e
'.[fuzz]'`).
"""
