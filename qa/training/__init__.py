"""Training the reader on public data (SQuAD dev files in ../shared/bench). Not on the answer path."""
