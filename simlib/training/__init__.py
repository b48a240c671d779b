"""The training suite: the case bank (keys computed by the auditor), the obligations calculator (the auditor's
own obligation logic), the delegation story (the model, decided by the trainee) and the widget controllers the
notebooks in ``notebooks/training/`` show."""
