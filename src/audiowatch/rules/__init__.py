"""The watch-rule language of SPEC §4: rule text -> expression tree -> predicate over a listing."""
