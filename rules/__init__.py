"""logitlint's rules: one module per rule, discovered by ``logitlint.registry``."""
