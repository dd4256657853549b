import { Card, CardBody } from "~/components/ui/card";
import { PageHeader } from "~/components/ui/page-header";

/** What a page of the design shows until the issue that builds it lands. */
export function NotYetBuilt({ title, summary, comesWith }: { title: string; summary: string; comesWith: string }) {
  return (
    <>
      <PageHeader title={title} description={summary} />
      <Card>
        <CardBody>
          <p className="text-sm">
            <strong>Not built yet.</strong> This page arrives with {comesWith}. Nothing here is a placeholder pretending
            to work.
          </p>
        </CardBody>
      </Card>
    </>
  );
}

/** What a page shows to a role that may not open it. */
export function NoAccess({ title }: { title: string }) {
  return (
    <>
      <PageHeader title={title} />
      <Card>
        <CardBody>
          <p className="text-sm">Your role cannot open this page. Ask an admin if you need it.</p>
        </CardBody>
      </Card>
    </>
  );
}
