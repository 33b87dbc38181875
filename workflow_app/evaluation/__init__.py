"""第三方评估、反向考核: reverse evaluation of every closed case (``case_rating``), the third-party
evaluator's rounds (``third_party_evaluation``: a reproducible stratified sample, callbacks, social
surveys, mismatches), and the points ledger (积分). The rules are in the models and in the
localities' evaluation data (``processes/evaluation/evaluation.json`` and ``PUT
/evaluation/settings``); these modules supply the mechanisms."""
