//! Kubernetes manifest streams as `kubectl apply -f` reads them: one to three applications per
//! file, each a Deployment or StatefulSet (pod template with init containers, probes,
//! resources, securityContext, env and volumes), a Service, and now and then a ConfigMap with
//! a block-scalar config file, an Ingress with TLS, a ServiceAccount, an HPA or a CronJob.
//! Some files label their objects through a YAML anchor, as hand-written manifests do.

use std::fmt::Write as _;

use crate::rng::Rng;

const IMAGES: &[&str] = &[
    "nginx:1.27-alpine",
    "ghcr.io/example/{app}:1.{n}.0",
    "registry.example.com/{team}/{app}:sha-{hex}",
    "redis:7.4",
    "postgres:16",
    "{app}:latest",
    "public.ecr.aws/example/{app}@sha256:{digest}",
];

pub fn generate(rng: &mut Rng, index: u64) -> String {
    let mut out = String::with_capacity(8192);
    let namespace = format!("{}-{}", rng.pick(super::TEAMS), rng.pick(super::ENVIRONMENTS));
    if rng.chance(30) {
        let _ = writeln!(out, "# Generated manifests for {namespace} (stream {index})\n---");
    }
    if rng.chance(20) {
        let _ = writeln!(
            out,
            "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {namespace}\n  labels:\n    pod-security.kubernetes.io/enforce: restricted\n---"
        );
    }
    let apps = match rng.below(10) {
        0..=4 => 1,
        5..=8 => 2,
        _ => 3,
    };
    for (a, app) in super::app_names(rng, apps).iter().enumerate() {
        if a > 0 {
            out.push_str("---\n");
        }
        application(rng, &mut out, app, &namespace);
    }
    out
}

fn image(rng: &mut Rng, app: &str) -> String {
    let team = rng.pick(super::TEAMS);
    let n = rng.below(30).to_string();
    let hex = rng.hex(7);
    let digest = rng.hex(64);
    rng.pick(IMAGES)
        .replace("{app}", app)
        .replace("{team}", team)
        .replace("{n}", &n)
        .replace("{hex}", &hex)
        .replace("{digest}", &digest)
}

fn application(rng: &mut Rng, out: &mut String, app: &str, namespace: &str) {
    let port = 8000 + rng.below(1000);
    let anchored = rng.chance(20);
    let config = rng.chance(50);
    let account = rng.chance(40);

    if account {
        let _ = writeln!(
            out,
            "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: {app}\n  namespace: {namespace}\nautomountServiceAccountToken: false\n---"
        );
    }
    if config {
        config_map(rng, out, app, namespace, port);
        out.push_str("---\n");
    }
    let kind = if rng.chance(15) { "StatefulSet" } else { "Deployment" };
    workload(rng, out, app, namespace, port, &Options { kind, anchored, config, account });
    out.push_str("---\n");
    let _ = writeln!(
        out,
        "apiVersion: v1
kind: Service
metadata:
  name: {app}
  namespace: {namespace}
  labels:
    app.kubernetes.io/name: {app}
spec:
  type: {}
  selector:
    app.kubernetes.io/name: {app}
  ports:
    - name: http
      port: 80
      targetPort: http
      protocol: TCP",
        rng.pick(&["ClusterIP", "ClusterIP", "ClusterIP", "NodePort", "LoadBalancer"])
    );
    if rng.chance(30) {
        out.push_str("    - name: metrics\n      port: 9090\n      targetPort: 9090\n");
    }
    if rng.chance(45) {
        ingress(rng, out, app, namespace);
    }
    if rng.chance(30) {
        let _ = writeln!(
            out,
            "---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: {app}
  namespace: {namespace}
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: {app}
  minReplicas: {}
  maxReplicas: {}
  metrics:
    - type: Resource
      resource:
        name: cpu
        target:
          type: Utilization
          averageUtilization: {}",
            rng.between(2, 3),
            rng.between(4, 20),
            rng.between(50, 85)
        );
    }
    if rng.chance(20) {
        cron_job(rng, out, app, namespace);
    }
}

fn config_map(rng: &mut Rng, out: &mut String, app: &str, namespace: &str, port: usize) {
    let _ = writeln!(
        out,
        "apiVersion: v1
kind: ConfigMap
metadata:
  name: {app}-config
  namespace: {namespace}
data:
  LOG_LEVEL: \"{}\"
  FEATURE_FLAGS: \"checkout-v2,search-beta\"
  MAX_CONNECTIONS: \"{}\"",
        rng.pick(&["debug", "info", "warn"]),
        rng.between(10, 500)
    );
    if rng.chance(60) {
        let _ = writeln!(
            out,
            "  nginx.conf: |
    worker_processes auto;
    events {{ worker_connections 1024; }}
    http {{
      server {{
        listen {port};
        location /healthz {{ return 200 'ok'; }}
        location / {{
          proxy_pass http://127.0.0.1:{};
          proxy_set_header Host $host;
          proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        }}
      }}
    }}",
            port + 1
        );
    } else {
        let _ = writeln!(
            out,
            "  application.yaml: |
    server:
      port: {port}
      shutdown: graceful
    spring:
      datasource:
        url: jdbc:postgresql://{app}-db:5432/{app}
        hikari:
          maximum-pool-size: {}
    management:
      endpoints:
        web:
          exposure:
            include: health,info,prometheus",
            rng.between(5, 50)
        );
    }
}

/// What an application's workload is made of.
struct Options {
    /// `Deployment` or `StatefulSet`.
    kind: &'static str,
    /// The pod template's labels are an alias of the object's.
    anchored: bool,
    /// A ConfigMap to mount.
    config: bool,
    /// A ServiceAccount of its own.
    account: bool,
}

fn workload(rng: &mut Rng, out: &mut String, app: &str, namespace: &str, port: usize, o: &Options) {
    let (kind, stateful) = (o.kind, o.kind == "StatefulSet");
    let version = format!("1.{}.{}", rng.below(30), rng.below(10));
    let _ = writeln!(
        out,
        "apiVersion: apps/v1\nkind: {kind}\nmetadata:\n  name: {app}\n  namespace: {namespace}"
    );
    // Hand-written manifests often name the labels once and refer to them.
    let labels = format!(
        "\n    app.kubernetes.io/name: {app}\n    app.kubernetes.io/part-of: {}\n    app.kubernetes.io/version: \"{version}\"",
        rng.pick(super::TEAMS)
    );
    if o.anchored {
        let _ = writeln!(out, "  labels: &labels{labels}");
    } else {
        let _ = writeln!(out, "  labels:{labels}");
    }
    if rng.chance(40) {
        out.push_str("  annotations:\n    deployment.kubernetes.io/revision: \"3\"\n    kubernetes.io/change-cause: \"image update\"\n");
    }
    let _ = writeln!(out, "spec:\n  replicas: {}", rng.between(1, 6));
    if stateful {
        let _ = writeln!(out, "  serviceName: {app}");
    } else if rng.chance(50) {
        out.push_str("  strategy:\n    type: RollingUpdate\n    rollingUpdate:\n      maxSurge: 25%\n      maxUnavailable: 0\n");
    }
    let _ = writeln!(out, "  selector:\n    matchLabels:\n      app.kubernetes.io/name: {app}");
    out.push_str("  template:\n    metadata:\n");
    if o.anchored {
        out.push_str("      labels: *labels\n");
    } else {
        let _ = writeln!(
            out,
            "      labels:\n        app.kubernetes.io/name: {app}\n        app.kubernetes.io/version: \"{version}\""
        );
    }
    if rng.chance(50) {
        let _ = writeln!(
            out,
            "      annotations:\n        prometheus.io/scrape: \"true\"\n        prometheus.io/port: \"{}\"",
            9090
        );
    }
    out.push_str("    spec:\n");
    if o.account {
        let _ = writeln!(out, "      serviceAccountName: {app}");
    }
    if rng.chance(60) {
        out.push_str(
            "      securityContext:\n        runAsNonRoot: true\n        runAsUser: 10001\n        fsGroup: 10001\n        seccompProfile:\n          type: RuntimeDefault\n",
        );
    } else if rng.chance(20) {
        out.push_str("      hostNetwork: true\n");
    }
    if rng.chance(40) {
        let _ = writeln!(
            out,
            "      initContainers:
        - name: wait-for-db
          image: busybox:1.36
          command: [\"sh\", \"-c\", \"until nc -z {app}-db 5432; do echo waiting; sleep 2; done\"]
          resources:
            limits: {{cpu: 50m, memory: 32Mi}}"
        );
        if rng.chance(50) {
            let _ = writeln!(
                out,
                "        - name: migrate\n          image: {}\n          args: [\"migrate\", \"--to\", \"latest\"]\n          envFrom:\n            - secretRef:\n                name: {app}-db",
                image(rng, app)
            );
        }
    }
    out.push_str("      containers:\n");
    let containers = if rng.chance(25) { 2 } else { 1 };
    for c in 0..containers {
        let name = if c == 0 { app.to_owned() } else { "log-shipper".to_owned() };
        container(rng, out, &name, app, port, c == 0 && o.config);
    }
    if rng.chance(30) {
        out.push_str("      nodeSelector:\n        kubernetes.io/os: linux\n");
    }
    if rng.chance(25) {
        out.push_str(
            "      tolerations:\n        - key: dedicated\n          operator: Equal\n          value: apps\n          effect: NoSchedule\n",
        );
    }
    if rng.chance(25) {
        let _ = writeln!(
            out,
            "      affinity:
        podAntiAffinity:
          preferredDuringSchedulingIgnoredDuringExecution:
            - weight: 100
              podAffinityTerm:
                topologyKey: kubernetes.io/hostname
                labelSelector:
                  matchLabels:
                    app.kubernetes.io/name: {app}"
        );
    }
    out.push_str("      volumes:\n        - name: tmp\n          emptyDir: {}\n");
    if o.config {
        let _ = writeln!(out, "        - name: config\n          configMap:\n            name: {app}-config");
    }
    if rng.chance(15) {
        out.push_str("        - name: docker-sock\n          hostPath:\n            path: /var/run/docker.sock\n            type: Socket\n");
    }
    if stateful {
        let _ = writeln!(
            out,
            "  volumeClaimTemplates:
    - metadata:
        name: data
      spec:
        accessModes: [\"ReadWriteOnce\"]
        storageClassName: gp3
        resources:
          requests:
            storage: {}Gi",
            rng.pick(&["10", "20", "50", "100"])
        );
    }
}

fn container(rng: &mut Rng, out: &mut String, name: &str, app: &str, port: usize, config: bool) {
    let _ = writeln!(out, "        - name: {name}\n          image: {}", image(rng, app));
    let _ = writeln!(out, "          imagePullPolicy: {}", rng.pick(&["IfNotPresent", "Always"]));
    if rng.chance(30) {
        out.push_str("          args:\n            - --config=/etc/app/application.yaml\n            - --log-format=json\n");
    }
    let _ = writeln!(
        out,
        "          ports:\n            - name: http\n              containerPort: {port}\n              protocol: TCP"
    );
    out.push_str("          env:\n");
    for (key, value) in [("APP_ENV", "production"), ("LOG_FORMAT", "json"), ("PORT", "")] {
        if value.is_empty() {
            let _ = writeln!(out, "            - name: {key}\n              value: \"{port}\"");
        } else {
            let _ = writeln!(out, "            - name: {key}\n              value: {value}");
        }
    }
    let _ = writeln!(
        out,
        "            - name: DB_PASSWORD
              valueFrom:
                secretKeyRef:
                  name: {app}-db
                  key: password
            - name: POD_NAME
              valueFrom:
                fieldRef:
                  fieldPath: metadata.name"
    );
    if rng.chance(15) {
        let _ = writeln!(out, "            - name: API_TOKEN\n              value: \"{}\"", rng.hex(40));
    }
    if rng.chance(40) {
        let _ = writeln!(
            out,
            "          envFrom:\n            - configMapRef:\n                name: {app}-config"
        );
    }
    let _ = writeln!(
        out,
        "          resources:
            requests:
              cpu: {}m
              memory: {}Mi
            limits:
              cpu: \"{}\"
              memory: {}Mi",
        rng.pick(&["50", "100", "250", "500"]),
        rng.pick(&["64", "128", "256", "512"]),
        rng.pick(&["1", "2", "500m"]),
        rng.pick(&["256", "512", "1024"])
    );
    let probe = |kind: &str, delay: usize| {
        format!(
            "          {kind}:\n            httpGet:\n              path: /healthz\n              port: http\n            initialDelaySeconds: {delay}\n            periodSeconds: 10\n            failureThreshold: 3\n"
        )
    };
    if rng.chance(70) {
        out.push_str(&probe("livenessProbe", 15));
        out.push_str(&probe("readinessProbe", 5));
    }
    match rng.below(4) {
        0 => out.push_str(
            "          securityContext:\n            privileged: true\n            allowPrivilegeEscalation: true\n",
        ),
        1 => {}
        _ => out.push_str(
            "          securityContext:\n            allowPrivilegeEscalation: false\n            readOnlyRootFilesystem: true\n            runAsNonRoot: yes\n            capabilities:\n              drop: [\"ALL\"]\n",
        ),
    }
    out.push_str("          volumeMounts:\n            - name: tmp\n              mountPath: /tmp\n");
    if config {
        out.push_str(
            "            - name: config\n              mountPath: /etc/app\n              readOnly: true\n",
        );
    }
}

fn ingress(rng: &mut Rng, out: &mut String, app: &str, namespace: &str) {
    let host = format!("{app}.{}.example.com", rng.pick(super::ENVIRONMENTS));
    let _ = writeln!(
        out,
        "---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: {app}
  namespace: {namespace}
  annotations:
    cert-manager.io/cluster-issuer: letsencrypt
    nginx.ingress.kubernetes.io/proxy-body-size: 10m
spec:
  ingressClassName: nginx
  tls:
    - hosts: [\"{host}\"]
      secretName: {app}-tls
  rules:
    - host: {host}
      http:
        paths:
          - path: /
            pathType: Prefix
            backend:
              service:
                name: {app}
                port:
                  name: http"
    );
    if rng.chance(40) {
        let _ = writeln!(
            out,
            "          - path: /api\n            pathType: Prefix\n            backend:\n              service:\n                name: {app}-api\n                port:\n                  number: 8080"
        );
    }
}

fn cron_job(rng: &mut Rng, out: &mut String, app: &str, namespace: &str) {
    let _ = writeln!(
        out,
        "---
apiVersion: batch/v1
kind: CronJob
metadata:
  name: {app}-cleanup
  namespace: {namespace}
spec:
  schedule: \"{} */{} * * *\"
  concurrencyPolicy: Forbid
  jobTemplate:
    spec:
      backoffLimit: 2
      template:
        spec:
          restartPolicy: OnFailure
          containers:
            - name: cleanup
              image: {}
              command:
                - /bin/sh
                - -c
                - |
                  set -e
                  echo \"pruning records older than 30 days\"
                  /app/bin/cleanup --older-than=720h",
        rng.below(60),
        rng.between(1, 12),
        image(rng, app)
    );
}
