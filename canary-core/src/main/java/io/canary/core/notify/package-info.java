/** Notifications of rollout events to people: {@link io.canary.core.notify.WebhookNotifier} (Slack-compatible JSON). */
package io.canary.core.notify;
