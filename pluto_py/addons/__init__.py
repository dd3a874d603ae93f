"""Add-ons (cluster-autoscaler, CoreDNS, ingress-nginx, cert-manager, ...): recognised from the images a
scanned workload runs and judged against the target Kubernetes version with each project's own support
matrix (``data/addon_support.yaml``).

``images`` parses image references, ``support`` loads the data and answers "does version V of add-on A
support Kubernetes T?", ``judge`` turns the answers into findings and notices for the scan (reached
through its front in pipeline/hooks.py). This layer sits between the pipeline and the sources: it
imports only core. Its listing (`kdeprecate list-versions --addons`) is report/addon_listing.py.
"""
