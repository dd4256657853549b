import Link from "next/link";
import { getTranslations } from "next-intl/server";
import { Alert } from "~/components/ui/alert";

/** A banner when WhatsApp numbers are not connected (nothing when all are). */
export async function NumbersDown({ numbers }: { numbers: { id: string; name: string }[] }) {
  if (numbers.length === 0) return null;
  const t = await getTranslations("start.numbers");
  return (
    <Alert tone="warning" className="mb-6">
      <span data-testid="numbers-down">
        {t("down", { count: numbers.length, names: numbers.map((number) => number.name).join(", ") })}
      </span>{" "}
      <Link href="/sessions" className="font-medium underline">
        {t("open")}
      </Link>
    </Alert>
  );
}
