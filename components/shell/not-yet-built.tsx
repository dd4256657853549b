import { getTranslations } from "next-intl/server";
import { Card, CardBody } from "~/components/ui/card";
import { PageHeader } from "~/components/ui/page-header";

/** What a page shows to a role that may not open it (`title`: the page's own, translated). */
export async function NoAccess({ title }: { title: string }) {
  const t = await getTranslations("common");
  return (
    <>
      <PageHeader title={title} />
      <Card>
        <CardBody>
          <p className="text-sm">{t("notAllowed")}</p>
        </CardBody>
      </Card>
    </>
  );
}
