// The fields of Kubernetes (and Prometheus Operator) objects the manifest tests read; everything
// optional, because the tests are what asserts it is there.

export interface LabelSelector {
  readonly matchLabels?: Readonly<Record<string, string>>;
}

export interface Probe {
  readonly httpGet?: { readonly path?: string; readonly port?: number | string };
  readonly periodSeconds?: number;
  readonly timeoutSeconds?: number;
  readonly failureThreshold?: number;
}

export interface SecurityContext {
  readonly runAsNonRoot?: boolean;
  readonly runAsUser?: number;
  readonly runAsGroup?: number;
  readonly fsGroup?: number;
  readonly readOnlyRootFilesystem?: boolean;
  readonly allowPrivilegeEscalation?: boolean;
  readonly capabilities?: { readonly drop?: readonly string[]; readonly add?: readonly string[] };
  readonly seccompProfile?: { readonly type?: string };
}

export interface Resources {
  readonly requests?: Readonly<Record<string, string>>;
  readonly limits?: Readonly<Record<string, string>>;
}

export interface Container {
  readonly name: string;
  readonly image?: string;
  readonly command?: readonly string[];
  readonly args?: readonly string[];
  readonly ports?: readonly { readonly name?: string; readonly containerPort?: number }[];
  readonly env?: readonly { readonly name: string; readonly value?: string }[];
  readonly envFrom?: readonly { readonly configMapRef?: { readonly name: string }; readonly secretRef?: { readonly name: string } }[];
  readonly resources?: Resources;
  readonly startupProbe?: Probe;
  readonly readinessProbe?: Probe;
  readonly livenessProbe?: Probe;
  readonly lifecycle?: { readonly preStop?: { readonly exec?: { readonly command?: readonly string[] }; readonly sleep?: { readonly seconds?: number } } };
  readonly securityContext?: SecurityContext;
  readonly volumeMounts?: readonly { readonly name: string; readonly mountPath: string; readonly readOnly?: boolean }[];
}

export interface Volume {
  readonly name: string;
  readonly emptyDir?: { readonly sizeLimit?: string; readonly medium?: string };
  readonly persistentVolumeClaim?: { readonly claimName: string; readonly readOnly?: boolean };
}

export interface PodSpec {
  readonly serviceAccountName?: string;
  readonly automountServiceAccountToken?: boolean;
  readonly terminationGracePeriodSeconds?: number;
  readonly restartPolicy?: string;
  readonly securityContext?: SecurityContext;
  readonly topologySpreadConstraints?: readonly { readonly topologyKey?: string; readonly labelSelector?: LabelSelector }[];
  readonly initContainers?: readonly Container[];
  readonly containers: readonly Container[];
  readonly volumes?: readonly Volume[];
}

export interface PodTemplate {
  readonly metadata?: { readonly labels?: Readonly<Record<string, string>> };
  readonly spec: PodSpec;
}

export interface Deployment {
  readonly spec: {
    readonly replicas?: number;
    readonly selector: LabelSelector;
    readonly strategy?: { readonly rollingUpdate?: { readonly maxUnavailable?: number | string } };
    readonly template: PodTemplate;
  };
}

export interface CronJob {
  readonly spec: {
    readonly schedule: string;
    readonly concurrencyPolicy?: string;
    readonly jobTemplate: { readonly spec: { readonly backoffLimit?: number; readonly activeDeadlineSeconds?: number; readonly template: PodTemplate } };
  };
}

export interface Service {
  readonly spec: {
    readonly type?: string;
    readonly selector?: Readonly<Record<string, string>>;
    readonly ports: readonly { readonly name?: string; readonly port: number; readonly targetPort?: number | string }[];
  };
}

export interface HorizontalPodAutoscaler {
  readonly spec: {
    readonly scaleTargetRef: { readonly kind: string; readonly name: string };
    readonly minReplicas?: number;
    readonly maxReplicas?: number;
    readonly metrics?: readonly { readonly type: string; readonly resource?: { readonly name: string; readonly target: { readonly type: string; readonly averageUtilization?: number } } }[];
    readonly behavior?: {
      readonly scaleUp?: { readonly stabilizationWindowSeconds?: number };
      readonly scaleDown?: { readonly stabilizationWindowSeconds?: number };
    };
  };
}

export interface PodDisruptionBudget {
  readonly spec: { readonly minAvailable?: number | string; readonly maxUnavailable?: number | string; readonly selector: LabelSelector };
}

export interface PersistentVolumeClaim {
  readonly spec: { readonly accessModes?: readonly string[] };
}

export interface NetworkPolicyPort {
  readonly port?: number | string;
  readonly endPort?: number;
  readonly protocol?: string;
}

export interface NetworkPolicy {
  readonly spec: {
    readonly podSelector: LabelSelector;
    readonly policyTypes?: readonly string[];
    readonly ingress?: readonly { readonly from?: readonly unknown[]; readonly ports?: readonly NetworkPolicyPort[] }[];
    readonly egress?: readonly { readonly to?: readonly unknown[]; readonly ports?: readonly NetworkPolicyPort[] }[];
  };
}

export interface ServiceMonitor {
  readonly spec: { readonly selector: LabelSelector; readonly endpoints: readonly { readonly port?: string; readonly path?: string }[] };
}

export interface Rule {
  readonly record?: string;
  readonly alert?: string;
  readonly expr: string;
  readonly for?: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
}

export interface RuleGroup {
  readonly name: string;
  readonly rules: readonly Rule[];
}

export interface PrometheusRule {
  readonly spec: { readonly groups: readonly RuleGroup[] };
}

/** The parts of a Grafana dashboard the tests read. */
export interface Dashboard {
  readonly uid?: string;
  readonly title?: string;
  readonly panels: readonly {
    readonly id: number;
    readonly type: string;
    readonly title: string;
    readonly targets?: readonly { readonly expr?: string; readonly refId?: string; readonly datasource?: { readonly uid?: string } }[];
  }[];
  readonly templating?: { readonly list: readonly { readonly name: string; readonly type: string; readonly query?: unknown }[] };
}
