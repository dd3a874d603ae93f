"""Add-ons (cluster-autoscaler, CoreDNS, ingress-nginx, cert-manager, ...): recognised from the images a
scanned workload runs and judged against the target Kubernetes version with each project's own support
matrix (``data/addon_support.yaml``).

``images`` parses image references, ``support`` loads the data and answers "does version V of add-on A
support Kubernetes T?", ``judge`` is the scan hook that turns the answers into findings and notices,
``listing`` renders the data for `kdeprecate list-versions --addons`.
"""
