/** How webhooks behave, in short: signing, retries, ordering, where the full docs are. */
export function WebhooksHelp() {
  return (
    <section
      aria-labelledby="webhooks-help-title"
      className="rounded-lg border border-border bg-card p-4 text-sm shadow-sm"
    >
      <h2 id="webhooks-help-title" className="font-semibold">
        How webhooks work
      </h2>
      <ul className="mt-2 list-disc space-y-1 pl-5 text-muted-foreground">
        <li>
          Each event is sent as a JSON <code>POST</code>, signed per{" "}
          <a className="underline" href="https://www.standardwebhooks.com/" target="_blank" rel="noreferrer">
            Standard Webhooks
          </a>
          : check the <code>webhook-id</code>, <code>webhook-timestamp</code> and <code>webhook-signature</code> headers
          with the endpoint’s <code>whsec_…</code> secret before trusting a body.
        </li>
        <li>
          Answer with any 2xx quickly (within 10 seconds by default). Failures (5xx, 408, 429, timeouts) are retried
          over about three days with growing pauses; other 4xx answers give up at once, and 410 Gone disables the
          endpoint. An endpoint failing for days is disabled too.
        </li>
        <li>
          Ordering is not guaranteed, and an event may arrive more than once: use <code>webhook-id</code> to skip
          duplicates and each payload’s <code>timestamp</code> to order.
        </li>
        <li>
          Payload shapes, verification examples and the retry schedule: <code>docs/webhooks.md</code>.
        </li>
      </ul>
    </section>
  );
}
