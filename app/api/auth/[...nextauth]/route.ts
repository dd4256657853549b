import NextAuth from "next-auth";
import { getAuthOptions } from "~/server/auth/next-auth";

type TRouteContext = { params: Promise<{ nextauth: string[] }> };

async function handler(req: Request, context: TRouteContext) {
  // next-auth 4 reads `params.nextauth` synchronously; Next 16 hands params over as a promise.
  const params = await context.params;
  return NextAuth(req as never, { params } as never, getAuthOptions()) as Promise<Response>;
}

export { handler as GET, handler as POST };
