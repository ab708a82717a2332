/**
 * The SDK's use of the Kubernetes API, shared by every adapter module (canary-istio,
 * canary-gateway-api, canary-kubernetes and, through it, canary-hpa): how a failed API call is told
 * apart (a transient fault worth another attempt, a conflict to re-read, a lasting fault), and the
 * field manager every write carries. Core stays free of fabric8; this is the one place the adapters
 * share their fabric8 plumbing.
 */
package io.canary.client;
