"""The course machinery behind the book's layers: learner checks, exercise generation, grading,
Colab helpers and the `deepnet` command line. Nothing here is needed to use the layers."""
