/** How the Gateway API router reads, checks, writes and confirms routes; not an API. */
@CanaryStyle
package io.canary.gatewayapi.internal;

import io.canary.core.CanaryStyle;
