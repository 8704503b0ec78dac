import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { ok, paginated } from '../platform/http/reply.js';
import { okBody, pageBody, successBody, type RouteDoc } from '../platform/http/route-doc.js';
import type { Http } from '../platform/http/zod-provider.js';
import type { AssetsService } from './assets.service.js';
import { assetSchema, brandSchema, creatorSchema, licenseSchema, projectSchema } from './catalog.responses.js';
import {
  bulkAssetsBody, createAssetBody, createBrandBody, createCreatorBody, createLicenseBody, createProjectBody, listAssetsQuery, listBrandsQuery,
  listCreatorsQuery, listLicensesQuery, listProjectsQuery, updateAssetBody, updateBrandBody, updateCreatorBody, updateLicenseBody, updateProjectBody,
} from './catalog.schemas.js';
import type { Actor, Page } from './catalog.views.js';
import type { LicensesService } from './licenses.service.js';
import type { ProfilesService } from './profiles.service.js';
import type { ProjectsService } from './projects.service.js';

/** The catalog's services, as the routes call them (and app.services.catalog names them). */
export interface CatalogRoutesDeps {
  readonly profiles: ProfilesService;
  readonly projects: ProjectsService;
  readonly assets: AssetsService;
  readonly licenses: LicensesService;
}

/** A bulk import of 1,000 assets with long descriptions exceeds the default body limit. */
export const BULK_BODY_LIMIT = 16 * 1024 * 1024;

type Req = FastifyRequest<{ Params: { id: string } }>;
const USER = { config: { access: 'user' as const } };
const actor = (request: FastifyRequest): Actor => request.user!;
const documented = (summary: string, doc: Omit<RouteDoc, 'summary' | 'tags'>) => ({ config: { ...USER.config, openapi: { summary, tags: ['catalog'], ...doc } } });

/** The five routes of one resource: create (201), list, get, patch and delete. */
function resource<C extends z.ZodType, U extends z.ZodType, Q extends z.ZodType<{ page: number; pageSize: number }>, V>(app: Http, path: string, spec: {
  create: [C, (actor: Actor, body: z.output<C>) => Promise<V>];
  list: [Q, (actor: Actor, query: z.output<Q>) => Promise<Page<V>>];
  get: (actor: Actor, id: string) => Promise<V>;
  update: [U, (actor: Actor, id: string, body: z.output<U>) => Promise<V>];
  remove: (actor: Actor, id: string) => Promise<void>;
  /** The resource's name in the docs and its response schema. */
  doc: [string, z.ZodType];
}): void {
  const [name, item] = spec.doc;
  const one = okBody(item);
  // Fastify validates each body and query with its schema; the handler reads the parsed output.
  app.post(path, { schema: { body: spec.create[0] }, ...documented(`Create a ${name}`, { response: one, status: 201 }) }, async (request, reply) =>
    reply.status(201).send(ok(await spec.create[1](actor(request), request.body as z.output<C>))));
  app.get(path, { schema: { querystring: spec.list[0] }, ...documented(`List ${name}s visible to the caller`, { response: pageBody(item) }) }, async (request) => {
    const query = request.query as z.output<Q>;
    const { items, total } = await spec.list[1](actor(request), query);
    return paginated(items, query.page, query.pageSize, total);
  });
  app.get(`${path}/:id`, documented(`Read a ${name}`, { response: one }), async (request: Req) => ok(await spec.get(actor(request), request.params.id)));
  app.patch(`${path}/:id`, { schema: { body: spec.update[0] }, ...documented(`Update a ${name}`, { response: one, errors: { 403: 'Forbidden' } }) }, async (request) =>
    ok(await spec.update[1](actor(request), (request.params as Req['params']).id, request.body as z.output<U>)));
  app.delete(`${path}/:id`, documented(`Delete a ${name}`, { response: successBody, errors: { 403: 'Forbidden' } }), async (request: Req) => {
    await spec.remove(actor(request), request.params.id);
    return { success: true };
  });
}

export function catalogRoutes(app: Http, deps: CatalogRoutesDeps): void {
  const { profiles, projects, assets, licenses } = deps;
  resource(app, '/api/creators', {
    create: [createCreatorBody, (a, body) => profiles.createCreator(a, body)],
    list: [listCreatorsQuery, (_a, query) => profiles.listCreators(query)],
    get: (_a, id) => profiles.getCreator(id),
    update: [updateCreatorBody, (a, id, body) => profiles.updateCreator(a, id, body)],
    remove: (a, id) => profiles.deleteCreator(a, id),
    doc: ['creator', creatorSchema],
  });
  resource(app, '/api/brands', {
    create: [createBrandBody, (a, body) => profiles.createBrand(a, body)],
    list: [listBrandsQuery, (_a, query) => profiles.listBrands(query)],
    get: (_a, id) => profiles.getBrand(id),
    update: [updateBrandBody, (a, id, body) => profiles.updateBrand(a, id, body)],
    remove: (a, id) => profiles.deleteBrand(a, id),
    doc: ['brand', brandSchema],
  });
  resource(app, '/api/projects', {
    create: [createProjectBody, (a, body) => projects.create(a, body)],
    list: [listProjectsQuery, (a, query) => projects.list(a, query)],
    get: (a, id) => projects.get(a, id),
    update: [updateProjectBody, (a, id, body) => projects.update(a, id, body)],
    remove: (a, id) => projects.delete(a, id),
    doc: ['project', projectSchema],
  });
  app.post('/api/assets/bulk', {
    schema: { body: bulkAssetsBody }, ...documented('Create up to 1,000 assets in one transaction', { response: okBody(z.array(assetSchema)), status: 201 }), bodyLimit: BULK_BODY_LIMIT,
  }, async (request, reply) => reply.status(201).send(ok(await assets.createMany(actor(request), request.body.assets))));
  resource(app, '/api/assets', {
    create: [createAssetBody, (a, body) => assets.create(a, body)],
    list: [listAssetsQuery, (a, query) => assets.list(a, query)],
    get: (a, id) => assets.get(a, id),
    update: [updateAssetBody, (a, id, body) => assets.update(a, id, body)],
    remove: (a, id) => assets.delete(a, id),
    doc: ['asset', assetSchema],
  });
  resource(app, '/api/licenses', {
    create: [createLicenseBody, (a, body) => licenses.create(a, body)],
    list: [listLicensesQuery, (a, query) => licenses.list(a, query)],
    get: (a, id) => licenses.get(a, id),
    update: [updateLicenseBody, (a, id, body) => licenses.update(a, id, body)],
    remove: (a, id) => licenses.delete(a, id),
    doc: ['license', licenseSchema],
  });
}
