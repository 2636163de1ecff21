"""The shop's daily work: today's list, receivables, loyalty, cash book, complaints desk."""
