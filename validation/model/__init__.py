"""Risk models of a product: infer a spec from data, train a scorecard, calibrate PD, judge the model, set
cut-offs, watch drift (see validation/README.md)."""
