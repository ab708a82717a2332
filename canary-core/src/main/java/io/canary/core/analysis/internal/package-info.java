/** The statistics and bookkeeping behind the judges of {@link io.canary.core.analysis}; not an API. */
package io.canary.core.analysis.internal;
