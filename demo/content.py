"""What the demo desk is made of, in Spanish: its catalog (specialties and modules), the
three organizations and their people, the desk's staff, and the ticket stories with the
texts of their messages. `load_demo` (demo/loader.py) loads them through the services;
`generate_dataset` (demo/dataset.py) borrows the catalog and the stories for its
synthetic desk.

Data, not interface text: makemessages skips this app (Makefile, `messages`).
"""

from accounts.models import SupportLevel
from catalog.models import Module, Specialty
from tickets.models import Ticket

# Catalog ----------------------------------------------------------------------

ADMIN_APPS = "Aplicaciones administrativas"
INFRA = "Infraestructura y redes"
WEB = "Desarrollo web"
POS = "Sistemas de punto de venta"

SPECIALTIES = {
    ADMIN_APPS: "Facturación electrónica (CFDI 4.0), nómina, ERP y contabilidad.",
    INFRA: "Redes locales, enlaces, VPN, firewall y correo corporativo en Microsoft 365.",
    WEB: "Sitio público, portal de clientes e integraciones con el ERP.",
    POS: "Cajas de tienda: software de punto de venta, periféricos y terminales bancarias.",
}

MODULES = [
    {
        "name": "Facturación",
        "specialty": ADMIN_APPS,
        "description": (
            "Emisión, timbrado y cancelación de CFDI 4.0 (facturas, notas de crédito y complementos "
            "de pago) desde el sistema de facturación de la empresa."
        ),
        "policies": (
            "Se atienden incidencias de emisión, timbrado, cancelación y envío de CFDI. Indique el folio, "
            "el RFC del receptor y el mensaje de error completo (de preferencia con captura de pantalla). "
            "Los cambios por actualizaciones de catálogos del SAT se programan con 5 días hábiles de "
            "anticipación. Una factura timbrada no se modifica: se cancela y se emite de nuevo."
        ),
        "protocol": (
            "1. Obtener folio, serie, RFC del receptor y el mensaje de error.\n"
            "2. Verificar la vigencia del CSD y el saldo de timbres con el PAC.\n"
            "3. Consultar el estado del servicio del PAC y del SAT.\n"
            "4. Reproducir la emisión en el ambiente de pruebas.\n"
            "5. Si el error es del PAC o del fabricante, levantar reporte y pasar a Pendiente proveedor.\n"
            "6. Confirmar con el usuario una emisión correcta antes de solucionar."
        ),
    },
    {
        "name": "Nómina",
        "specialty": ADMIN_APPS,
        "description": (
            "Cálculo y timbrado de la nómina semanal y quincenal, recibos CFDI de nómina, incidencias "
            "(faltas, horas extra, vacaciones), IMSS e INFONAVIT."
        ),
        "policies": (
            "Las incidencias de nómina se capturan a más tardar el martes de la semana de pago. Todo reporte "
            "de cálculo indica número de empleado y periodo. Solo Recursos Humanos solicita cambios de sueldo, "
            "altas y bajas. Reexpedir un recibo timbrado implica cancelarlo ante el SAT."
        ),
        "protocol": (
            "1. Identificar periodo, tipo de nómina y números de empleado afectados.\n"
            "2. Revisar las incidencias capturadas y los conceptos configurados.\n"
            "3. Recalcular en una copia del periodo, nunca en el periodo cerrado.\n"
            "4. Validar las diferencias con Recursos Humanos antes de timbrar de nuevo.\n"
            "5. Documentar el ajuste y enviar los recibos corregidos."
        ),
    },
    {
        "name": "Portal web",
        "specialty": WEB,
        "description": (
            "Sitio público de la empresa y portal de clientes: pedidos en línea, estados de cuenta y "
            "descarga de facturas."
        ),
        "policies": (
            "Se atienden fallas del sitio y del portal de clientes. Los cambios de contenido se solicitan con "
            "3 días hábiles de anticipación. Las funciones nuevas se cotizan aparte, fuera de la póliza."
        ),
        "protocol": (
            "1. Confirmar dirección, navegador y hora del error; pedir captura de pantalla.\n"
            "2. Revisar el monitoreo y los registros del servidor web.\n"
            "3. Verificar certificado SSL, DNS y espacio en disco.\n"
            "4. Reproducir en otro navegador o en una ventana privada.\n"
            "5. Si la falla es del hospedaje, abrir reporte con el proveedor.\n"
            "6. Publicar la corrección fuera del horario pico y confirmar con el usuario."
        ),
    },
    {
        "name": "Correo",
        "specialty": INFRA,
        "description": (
            "Correo electrónico corporativo en Microsoft 365: buzones, listas de distribución, Outlook y "
            "correo en el celular."
        ),
        "policies": (
            "Las altas y bajas de buzones las solicita Recursos Humanos o la Gerencia. Cada buzón tiene 50 GB. "
            "No se recuperan correos eliminados hace más de 30 días. Las contraseñas se restablecen solo al "
            "titular, previa verificación de su identidad."
        ),
        "protocol": (
            "1. Identificar el buzón afectado y si falla en Outlook, en la web o en el celular.\n"
            "2. Revisar el estado del servicio en el centro de administración de Microsoft 365.\n"
            "3. Revisar el seguimiento de mensajes para correos no entregados.\n"
            "4. Verificar licencia, cuota del buzón y reglas de reenvío.\n"
            "5. Si es una falla del servicio, abrir caso con Microsoft y pasar a Pendiente proveedor."
        ),
    },
    {
        "name": "Red",
        "specialty": INFRA,
        "description": "Red local, Wi-Fi, enlaces a internet y VPN entre oficinas y sucursales.",
        "policies": (
            "Se atienden fallas de conectividad en las instalaciones cubiertas por la póliza. Los cambios en el "
            "firewall se solicitan por escrito y se aplican en ventana de mantenimiento. No se conectan equipos "
            "personales a la red corporativa."
        ),
        "protocol": (
            "1. Delimitar el alcance: un equipo, un área o toda la sucursal.\n"
            "2. Revisar en el monitoreo el enlace y los equipos de red.\n"
            "3. Pedir al usuario reiniciar el equipo afectado solo si el protocolo lo indica.\n"
            "4. Si el enlace del proveedor está caído, levantar reporte con el carrier y anotar su número.\n"
            "5. Confirmar el restablecimiento con el usuario y con el monitoreo."
        ),
    },
    {
        "name": "ERP",
        "specialty": ADMIN_APPS,
        "description": (
            "Sistema ERP: inventarios, compras, cuentas por cobrar y por pagar, contabilidad y cierres de mes."
        ),
        "policies": (
            "Los cierres de mes se atienden con prioridad los primeros 5 días hábiles. Los permisos de usuario "
            "los autoriza el jefe del área. No se modifican pólizas contables de periodos cerrados sin "
            "autorización de Contraloría."
        ),
        "protocol": (
            "1. Obtener el módulo del ERP, el documento y el usuario afectados.\n"
            "2. Revisar la bitácora de errores del ERP.\n"
            "3. Verificar permisos del usuario y registros bloqueados.\n"
            "4. Reproducir en la base de pruebas.\n"
            "5. Escalar a N2 si requiere cambios en la base de datos.\n"
            "6. Validar con el usuario y documentar la solución."
        ),
    },
    {
        "name": "Punto de venta",
        "specialty": POS,
        "description": (
            "Cajas de las tiendas: software de punto de venta, impresoras de tickets, lectores de código de "
            "barras y terminales bancarias."
        ),
        "policies": (
            "Una falla que detiene una caja se atiende como urgente en horario de tienda. El cambio de equipo "
            "requiere el número de serie. La terminal bancaria la repara el banco: la mesa levanta el reporte "
            "y le da seguimiento."
        ),
        "protocol": (
            "1. Identificar tienda, número de caja y equipo afectado.\n"
            "2. Verificar la conexión de la caja con el servidor de la tienda.\n"
            "3. Revisar periféricos (impresora, lector, cajón) y sus controladores.\n"
            "4. Si es la terminal bancaria, levantar reporte con el banco.\n"
            "5. Confirmar con el gerente de tienda que la caja opera."
        ),
    },
]


def load_catalog() -> tuple[dict[str, Specialty], dict[str, Module]]:
    """The specialties and modules above, by name, found or created (an edited one is kept)."""
    specialties = {}
    for name, description in SPECIALTIES.items():
        specialties[name], _created = Specialty.objects.get_or_create(name=name, defaults={"description": description})
    modules = {}
    for data in MODULES:
        modules[data["name"]], _created = Module.objects.get_or_create(
            name=data["name"],
            defaults={
                "description": data["description"],
                "policies": data["policies"],
                "protocol": data["protocol"],
                "specialty": specialties[data["specialty"]],
            },
        )
    return specialties, modules


# Organizations and contacts -------------------------------------------------------
# Domains under example.com (reserved, RFC 2606): demo emails never reach a real inbox.

IN_FORCE, EXPIRED, NO_POLICY = "in_force", "expired", "none"

ORGANIZATIONS = [
    {
        "key": IN_FORCE,
        "name": "Comercializadora del Bajío S.A. de C.V.",
        "tax_id": "CBA050315KX2",
        "domain": "bajio.example.com",
        "phone": "477 712 4580",
        "notes": "Cadena de tiendas de abarrotes y mayoreo en Guanajuato. Oficina central en León.",
        "places": ["León Centro", "Plaza Mayor", "Irapuato", "Celaya", "Silao", "Salamanca", "Guanajuato"],
        "policy": {"name": "Póliza de soporte integral", "number": "POL-0142", "starts": -200, "ends": 165},
        "contacts": [
            # name, user part, job title, authorized, modules they usually report
            ("Alejandra Méndez Torres", "alejandra.mendez", "Gerente de Administración", True,
             ["Facturación", "ERP", "Correo", "Portal web"]),
            ("Roberto Aguilar Saucedo", "roberto.aguilar", "Contador general", True, ["Facturación", "ERP", "Nómina"]),
            ("Patricia Lozano Ibarra", "patricia.lozano", "Jefa de Recursos Humanos", True, ["Nómina", "Correo"]),
            ("Héctor Jiménez Valdivia", "hector.jimenez", "Encargado de sistemas", True,
             ["Red", "Correo", "Portal web", "ERP", "Punto de venta"]),
            ("Claudia Romero Esparza", "claudia.romero", "Gerente de tienda León Centro", True,
             ["Punto de venta", "Red"]),
            ("Ernesto Vargas Quiroz", "ernesto.vargas", "Supervisor de tiendas", True,
             ["Punto de venta", "Red", "Correo"]),
            ("Monitoreo de infraestructura (Zabbix)", "monitoreo", "Herramienta de monitoreo", True, []),
            ("Iván Castillo Reyes", "ivan.castillo", "Auxiliar de almacén", False, ["ERP", "Red"]),
            ("Karla Domínguez Ponce", "karla.dominguez", "Practicante de mercadotecnia", False,
             ["Portal web", "Correo"]),
        ],
    },
    {
        "key": EXPIRED,
        "name": "Grupo Ferretero Tapatío S.A. de C.V.",
        "tax_id": "GFT980722HN4",
        "domain": "ferreterotapatio.example.com",
        "phone": "33 3614 2290",
        "notes": "Ferreterías en la zona metropolitana de Guadalajara. Póliza vencida, en negociación de renovación.",
        "places": ["Sucursal Zapopan", "Sucursal Tlaquepaque", "Sucursal Tonalá"],
        "policy": {"name": "Póliza de soporte básico", "number": "POL-0087", "starts": -387, "ends": -22},
        "contacts": [
            ("Javier Orozco Preciado", "javier.orozco", "Director de Finanzas", True, ["Facturación", "ERP", "Nómina"]),
            ("Gabriela Íñiguez Camarena", "gabriela.iniguez", "Coordinadora de TI", True,
             ["Red", "Correo", "Portal web", "Punto de venta", "ERP"]),
            ("Omar Velázquez Gómez", "omar.velazquez", "Vendedor de mostrador", False, ["Punto de venta"]),
        ],
    },
    {
        "key": NO_POLICY,
        "name": "Transportes Regiomontanos del Norte S.A. de C.V.",
        "tax_id": "TRN110908QJ1",
        "domain": "transportesregio.example.com",
        "phone": "81 8343 1175",
        "notes": "Prospecto: cotización de póliza enviada, sin contrato firmado.",
        "places": ["Patio Apodaca", "Oficina Guadalupe"],
        "policy": None,
        "contacts": [
            ("Adriana Garza Treviño", "adriana.garza", "Gerente de Operaciones", True, ["ERP", "Correo", "Red"]),
            ("Luis Alberto Cantú Elizondo", "luis.cantu", "Jefe de Tráfico", True, ["Portal web", "Red"]),
            ("Brenda Saldaña Leal", "brenda.saldana", "Recepcionista", False, ["Correo"]),
        ],
    },
]

# A known sender without an organization: their reports are cancelled at intake.
ORPHAN_CONTACT = ("Jorge Ramírez Olmos", "jorge.ramirez.olmos@correo.example.com", ["Portal web", "Facturación"])

# Staff --------------------------------------------------------------------------

DEMO_PASSWORD = "demo12345"  # every demo login's, printed by load_demo
COORDINATOR = ("coordinador", "Mariana", "Cervantes Lozano")
AGENTS = [
    ("agente1", "Lucía", "Hernández Ramos", SupportLevel.N1, [ADMIN_APPS, POS]),
    ("agente2", "Diego", "Martínez Olvera", SupportLevel.N1, [INFRA, WEB, POS]),
    ("agente3", "Fernanda", "Ríos Castañeda", SupportLevel.N2, [ADMIN_APPS, POS]),
    ("agente4", "Ricardo", "Villaseñor Ortega", SupportLevel.N2, [INFRA, WEB]),
    ("agente5", "Sofía", "Navarro Guzmán", SupportLevel.N3, [ADMIN_APPS, INFRA, WEB, POS]),
]
ADMIN = ("admin", "Administrador", "del sistema")
STAFF_EMAIL_DOMAIN = "mesa.example.com"

# Ticket texts ---------------------------------------------------------------------
# s subject · d description · u urgency · i impact (the agent's assessment) · q/a a
# question to the requester and their answer · n internal note · sol solution · code
# resolution code · v vendor (name, message to the requester, reference prefix) ·
# request: a service request (REQ-) instead of an incident.

TEMPLATES = {
    "Facturación": [
        dict(s="No se pueden timbrar facturas desde esta mañana",
             d="Desde las 9 de la mañana, al timbrar cualquier factura aparece el mensaje «Error 301: el certificado "
               "de sello digital no es válido». Ya lo intentamos en dos computadoras. Tenemos cerca de 40 facturas "
               "de clientes pendientes de timbrar.",
             u=3, i=3,
             q="¿Nos confirma si recientemente renovaron el certificado de sello digital (CSD) ante el SAT? Si es "
               "así, compártanos los archivos .cer y .key nuevos por la carpeta segura.",
             a="Sí, la contadora renovó el CSD la semana pasada. Ya dejé los archivos en la carpeta segura.",
             n="El CSD cargado en el sistema venció ayer y el nuevo no se había cargado. Cargar .cer/.key y probar "
               "el timbrado en pruebas.",
             sol="Cargamos el nuevo certificado de sello digital en el sistema de facturación y verificamos el "
                 "timbrado con una factura de prueba. Ya puede timbrar normalmente; reintente las facturas pendientes.",
             code="resolved"),
        dict(s="La cancelación de la factura {folio} sigue «en proceso»",
             d="Intentamos cancelar la factura {folio} de {cliente} y el sistema indica que la cancelación está «en "
               "proceso» desde hace cuatro días. El cliente dice que no le llegó ninguna solicitud.",
             u=2, i=1,
             q="¿Nos confirma el RFC del receptor y el motivo de cancelación que eligió (01, 02, 03 o 04)?",
             a="Es el RFC de {cliente} y elegimos el motivo 02, comprobante emitido con errores sin relación.",
             sol="La cancelación con motivo 02 requiere que el receptor la acepte en el buzón tributario. Le "
                 "explicamos al cliente cómo aceptarla; la factura ya aparece cancelada en el SAT y en el sistema.",
             code="false_incident"),
        dict(s="Las notas de crédito salen con el IVA duplicado",
             d="Al generar una nota de crédito por devolución, el total trae el IVA dos veces. Pasa con todas las "
               "notas de crédito desde la actualización del viernes.",
             u=2, i=2,
             n="Regresión de la actualización 4.8.2: el concepto de descuento calcula el traslado dos veces.",
             v=("Soporte del fabricante del sistema de facturación",
                "Confirmamos que es un error de la última actualización del sistema. Levantamos el reporte con el "
                "fabricante y le avisaremos en cuanto publique la corrección. Mientras tanto, evite emitir notas de "
                "crédito o emítalas sin descuento.", "CASO-"),
             sol="El fabricante publicó la versión 4.8.3 con la corrección del cálculo de IVA en notas de crédito. "
                 "La instalamos y validamos con una nota de prueba.",
             code="vendor_fix"),
        dict(s="El PAC rechaza el complemento de pago de {cliente}",
             d="Al timbrar el complemento de pago de {cliente} aparece «CFDI40201: el valor del campo Fecha no "
               "cumple con el patrón requerido». Lo necesitamos para el cierre.",
             u=2, i=1,
             q="¿Nos envía una captura de la pantalla del complemento con la fecha de pago que capturó?",
             a="Les envío la captura. La fecha de pago la escribí como me la dio el banco.",
             sol="La fecha de pago se capturó como texto libre. La corregimos en el formulario y el complemento se "
                 "timbró. Le compartimos una guía breve para capturar complementos de pago.",
             code="false_incident"),
        dict(s="Las facturas no les llegan por correo a los clientes",
             d="Desde ayer los clientes nos dicen que no les llegan el PDF y el XML de sus facturas. En el sistema "
               "aparecen como enviadas.",
             u=2, i=2,
             n="Rebotes por SPF: el servidor de facturación envía desde una IP que no está en el registro SPF.",
             sol="Agregamos el servidor de envío del sistema de facturación al registro SPF del dominio. Los correos "
                 "ya se entregan y reenviamos las facturas de ayer.",
             code="resolved"),
        dict(s="Alta de una serie de facturación para la sucursal {lugar}", request=True,
             d="Abrimos operaciones en {lugar} y necesitamos una serie de facturas propia, con folios desde el 1.",
             u=1, i=1,
             sol="Creamos la serie nueva con folio inicial 1 y la asignamos a los usuarios de {lugar}.",
             code="request_fulfilled"),
        dict(s="Acceso al sistema de facturación para {nuevo}", request=True,
             d="{nuevo} se integró al área de cobranza y necesita acceso al sistema de facturación solo para emitir "
               "y consultar facturas.",
             u=1, i=1,
             q="¿Nos confirma por este medio la autorización de su jefe inmediato para el acceso?",
             a="Autorizado por la Gerencia de Administración, va en copia.",
             sol="Creamos el usuario con el perfil «Facturista» (emitir y consultar) y le enviamos sus datos de "
                 "acceso por correo.",
             code="request_fulfilled"),
    ],
    "Nómina": [
        dict(s="El recibo de nómina de la quincena no muestra las horas extra",
             d="A varios empleados del almacén no les aparecen las horas extra en el recibo de la quincena, aunque "
               "sí se capturaron en las incidencias. Son alrededor de 12 personas.",
             u=3, i=2,
             q="¿Nos comparte los números de empleado afectados y una captura de las incidencias capturadas?",
             a="Les adjunto la lista de los 12 empleados y la captura de la pantalla de incidencias.",
             n="Las horas extra se capturaron con fecha del día 16, fuera del periodo. Recalcular en una copia.",
             sol="Las horas extra estaban registradas con fecha del siguiente periodo. Ajustamos las fechas, "
                 "recalculamos y timbramos recibos complementarios para los 12 empleados.",
             code="resolved"),
        dict(s="Error al timbrar la nómina semanal: «El RFC del receptor no existe»",
             d="Al timbrar la nómina semanal, 3 recibos fallan con el mensaje de RFC inexistente. Son empleados de "
               "nuevo ingreso.",
             u=3, i=2,
             q="¿Puede revisar con los empleados su Constancia de Situación Fiscal? Necesitamos RFC, nombre y "
               "código postal exactamente como aparecen ahí.",
             a="Ya pedimos las constancias; uno de ellos tenía mal la homoclave y otro el código postal.",
             sol="Corregimos RFC y código postal fiscal de los tres empleados según sus constancias y los recibos "
                 "se timbraron.",
             code="false_incident"),
        dict(s="El ISR retenido no coincide con la tabla vigente",
             d="En la nómina quincenal el ISR retenido es mayor al que da la calculadora del SAT para sueldos "
               "de más de 15 mil pesos.",
             u=2, i=2,
             n="El catálogo tiene cargada la tabla de ISR del año anterior.",
             sol="La tabla de ISR del sistema no estaba actualizada. Cargamos la tabla vigente, recalculamos la "
                 "quincena en una copia y Recursos Humanos validó las diferencias antes de timbrar.",
             code="resolved"),
        dict(s="No se genera el archivo de dispersión para el banco",
             d="Al generar el layout de dispersión de nómina el sistema se queda cargando y no descarga nada. "
               "Hoy es día de pago.",
             u=3, i=3,
             n="El proceso se detiene en el empleado 1187: CLABE de 17 dígitos.",
             sol="El proceso fallaba por una cuenta CLABE de 17 dígitos en el expediente de un empleado. La "
                 "corregimos y el layout se generó; ya se envió al banco.",
             code="resolved"),
        dict(s="Las vacaciones de {nuevo} no se descuentan del saldo",
             d="Registramos las vacaciones de {nuevo} y su saldo sigue mostrando los mismos días.",
             u=1, i=1,
             sol="Las vacaciones se registraron como permiso con goce de sueldo. Mostramos a Recursos Humanos cómo "
                 "registrarlas con el tipo de incidencia correcto y el saldo ya se actualizó.",
             code="false_incident"),
        dict(s="Alta del concepto «Bono de productividad»", request=True,
             d="Dirección autorizó un bono de productividad mensual para vendedores. Necesitamos el concepto en la "
               "nómina, gravado para ISR.",
             u=1, i=1,
             sol="Creamos la percepción «Bono de productividad» (gravada) y la agregamos a la plantilla de vendedores.",
             code="request_fulfilled"),
        dict(s="Reporte de acumulados anuales por empleado", request=True,
             d="Necesitamos el reporte de acumulados por empleado del ejercicio anterior para la declaración anual.",
             u=2, i=1,
             sol="Generamos el reporte de acumulados anuales por empleado y se lo enviamos en Excel.",
             code="request_fulfilled"),
    ],
    "Portal web": [
        dict(s="El portal de clientes no carga: error 502",
             d="Desde hace media hora el portal de clientes muestra «502 Bad Gateway». Los clientes no pueden "
               "descargar sus facturas ni levantar pedidos.",
             u=3, i=3,
             n="El servicio de la aplicación se detuvo por falta de memoria. Reinicio y ajuste de límites.",
             sol="El servicio del portal se detuvo por falta de memoria en el servidor. Lo reiniciamos, ajustamos los "
                 "límites y agregamos una alerta. El portal opera con normalidad.",
             code="resolved"),
        dict(s="El navegador dice que nuestro sitio «no es seguro»",
             d="Al entrar a nuestro sitio el navegador muestra «La conexión no es privada». Los clientes nos están "
               "llamando.",
             u=3, i=3,
             n="Certificado SSL vencido: la renovación automática falló por un cambio de DNS.",
             sol="El certificado SSL no se renovó automáticamente. Lo renovamos, corregimos la renovación automática "
                 "y verificamos el sitio en varios navegadores.",
             code="resolved"),
        dict(s="Los pedidos en línea no llegan al ERP",
             d="Los pedidos que hacen los clientes en el portal no aparecen en el ERP desde el martes. Tenemos 23 "
               "pedidos detenidos.",
             u=2, i=2,
             q="¿Nos indica algunos números de pedido que no aparecen? Con dos o tres es suficiente.",
             a="Por ejemplo, los pedidos W-10452, W-10457 y W-10461.",
             n="La sincronización perdió el acceso a la API del ERP tras el cambio de contraseña del usuario de "
               "integración.",
             sol="La sincronización falló porque cambió la contraseña del usuario de integración. Actualizamos las "
                 "credenciales y reprocesamos los 23 pedidos pendientes.",
             code="resolved"),
        dict(s="El formulario de contacto del sitio no envía",
             d="Al dar clic en «Enviar» en el formulario de contacto aparece un error y no llega nada al correo de "
               "ventas.",
             u=1, i=1,
             v=("Proveedor de hospedaje",
                "El error viene del servicio de envío de correo del hospedaje. Levantamos un reporte con el proveedor "
                "y le avisaremos en cuanto responda.", "HOST-"),
             sol="El proveedor de hospedaje restableció el servicio de envío de correo. Probamos el formulario y los "
                 "mensajes ya llegan a ventas.",
             code="vendor_fix"),
        dict(s="El portal se ve desacomodado en el celular",
             d="En el celular, el menú del portal de clientes tapa el botón de pagar.",
             u=1, i=1,
             q="¿Qué modelo de celular y qué navegador usan?",
             a="Un iPhone 12 con Safari y un Samsung A54 con Chrome.",
             sol="No logramos reproducir el problema en esos equipos; probablemente el navegador mostraba una versión "
                 "anterior guardada. Si vuelve a pasar, envíenos una captura de pantalla.",
             code="not_reproducible"),
        dict(s="Publicar el banner de la promoción de temporada", request=True,
             d="Mercadotecnia preparó un banner de promoción (va adjunto). Necesitamos publicarlo en la página "
               "principal del viernes al lunes.",
             u=2, i=1,
             sol="Publicamos el banner en la página principal y programamos su retiro para el lunes a las 23:59.",
             code="request_fulfilled"),
        dict(s="Acceso al portal para el cliente {cliente}", request=True,
             d="El cliente {cliente} necesita acceso al portal para descargar sus facturas y estados de cuenta.",
             u=1, i=1,
             sol="Creamos el acceso del cliente al portal y le enviamos la invitación a su correo.",
             code="request_fulfilled"),
    ],
    "Correo": [
        dict(s="Outlook pide la contraseña a cada rato",
             d="Desde ayer Outlook me pide usuario y contraseña cada vez que lo abro y no me deja enviar correos.",
             u=2, i=1,
             q="¿Cambió recientemente su contraseña? ¿Le pasa también en Outlook en la web?",
             a="Sí, la cambié el lunes. En la web sí entra bien.",
             sol="Eliminamos las credenciales guardadas en Windows y volvimos a iniciar sesión en Outlook con la "
                 "contraseña nueva. Ya no la solicita.",
             code="resolved"),
        dict(s="No llegan correos de clientes externos",
             d="Desde las {hora} no recibimos correos de fuera de la empresa; entre nosotros sí llegan.",
             u=3, i=3,
             n="Incidente de Exchange Online publicado en el centro de administración; los mensajes están en cola.",
             v=("Microsoft 365",
                "Microsoft confirma una falla del servicio de correo en la región. Abrimos un caso y le informaremos "
                "en cuanto la resuelvan; los correos no se pierden, quedan en espera.", "MS-"),
             sol="Microsoft resolvió la falla de Exchange Online. Los correos retenidos se entregaron y verificamos "
                 "la recepción desde fuera.",
             code="vendor_fix"),
        dict(s="Buzón lleno: no puedo recibir correos",
             d="Me aparece que mi buzón está lleno y los clientes dicen que les rebotan los correos.",
             u=2, i=2,
             sol="Activamos el archivo en línea del buzón y movimos los correos de más de un año. El buzón quedó al "
                 "45% de su capacidad.",
             code="resolved"),
        dict(s="Correo sospechoso que pide actualizar datos bancarios",
             d="Nos llegó un correo que parece del banco y pide actualizar los datos de la cuenta. Dos personas ya "
               "le dieron clic al enlace.",
             u=3, i=2,
             n="Phishing. Bloquear remitente, purgar mensajes, restablecer contraseñas de los 2 usuarios y revisar "
               "sus inicios de sesión.",
             sol="Era un correo de phishing. Lo eliminamos de todos los buzones, bloqueamos el remitente y "
                 "restablecimos las contraseñas de las dos personas que abrieron el enlace; no hubo accesos indebidos.",
             code="resolved"),
        dict(s="El correo no se sincroniza en mi celular nuevo",
             d="El correo dejó de actualizarse en el celular desde que cambié de equipo.",
             u=1, i=1,
             q="¿Qué aplicación usa para el correo en el celular nuevo?",
             a="La aplicación de correo que ya traía el teléfono.",
             sol="Configuramos la aplicación de Outlook para celular con su cuenta; el correo ya se sincroniza.",
             code="false_incident"),
        dict(s="Alta de buzón para {nuevo}", request=True,
             d="El lunes ingresa {nuevo} como ejecutivo de ventas; necesita correo y estar en la lista de ventas.",
             u=2, i=1,
             sol="Creamos el buzón, asignamos la licencia y lo agregamos a la lista de ventas. Los datos de acceso se "
                 "entregaron a su jefe.",
             code="request_fulfilled"),
        dict(s="Baja del correo de {nuevo}", request=True,
             d="{nuevo} dejó la empresa; necesitamos dar de baja su correo y que los mensajes le lleguen a su jefe.",
             u=1, i=1,
             sol="Bloqueamos el acceso, convertimos el buzón en compartido y configuramos el reenvío al jefe del área.",
             code="request_fulfilled"),
    ],
    "Red": [
        dict(s="Sin internet en {lugar}",
             d="Ninguna computadora de {lugar} tiene internet desde las {hora}. Las cajas trabajan sin conexión.",
             u=3, i=3,
             v=("Telmex",
                "El enlace de internet está caído por una falla del proveedor. Levantamos el reporte con Telmex y le "
                "avisaremos en cuanto lo restablezcan.", "TMX-"),
             sol="Telmex reparó el enlace (fibra dañada en la calle). Verificamos la conexión en todas las cajas y "
                 "computadoras.",
             code="vendor_fix"),
        dict(s="El Wi-Fi de la sala de juntas se desconecta",
             d="En la sala de juntas el Wi-Fi se desconecta cada 5 minutos; en las demás áreas funciona bien.",
             u=1, i=1,
             sol="El punto de acceso de la sala tenía el firmware desactualizado y un canal saturado. Lo actualizamos "
                 "y cambiamos el canal.",
             code="resolved"),
        dict(s="La VPN no conecta desde casa",
             d="Al conectarme a la VPN desde casa aparece «No se pudo establecer la conexión». Ayer sí funcionaba.",
             u=2, i=1,
             q="¿Nos confirma qué versión del cliente de VPN tiene y qué código de error le aparece?",
             a="Versión 7.0, y el código -14.",
             sol="El cliente de VPN necesitaba actualizarse a la versión compatible con el firewall. Lo actualizamos "
                 "en una sesión remota y ya conecta.",
             code="resolved"),
        dict(s="Todo el sistema está muy lento en {lugar}",
             d="Desde la mañana todo está muy lento en {lugar}; abrir el ERP tarda varios minutos.",
             u=2, i=2,
             n="Enlace al 100%: un equipo descarga actualizaciones de forma continua.",
             sol="Un equipo saturaba el enlace descargando actualizaciones. Limitamos el ancho de banda de las "
                 "actualizaciones y el sistema volvió a su velocidad normal.",
             code="resolved"),
        dict(s="La impresora de red del área de crédito no imprime",
             d="La impresora de crédito no imprime desde ninguna computadora; aparece «sin conexión».",
             u=1, i=1,
             sol="La impresora tomó otra dirección IP después de un corte de luz. Le fijamos la IP y se reconectó.",
             code="resolved"),
        dict(s="Red de invitados para la junta del jueves", request=True,
             d="El jueves tendremos 15 visitantes en la sala de juntas; necesitamos una red de invitados temporal.",
             u=1, i=1,
             sol="Activamos la red de invitados con una contraseña válida solo el jueves y se la enviamos.",
             code="request_fulfilled"),
        dict(s="Acceso por VPN para el despacho contable externo", request=True,
             d="El despacho contable externo necesita acceso por VPN al ERP durante el cierre anual.",
             u=1, i=1,
             q="¿Nos confirma el nombre y el correo de la persona del despacho y hasta qué fecha necesita el acceso?",
             a="Es la C.P. Leticia Robles, de Robles y Asociados; lo necesita hasta fin de mes.",
             sol="Creamos el acceso por VPN con vigencia hasta fin de mes, restringido al servidor del ERP.",
             code="request_fulfilled"),
    ],
    "ERP": [
        dict(s="Error al cerrar el mes en contabilidad",
             d="Al ejecutar el cierre del mes aparece «Existen pólizas descuadradas», pero no dice cuáles.",
             u=3, i=2,
             n="Póliza de diario con diferencia de 0.01 por redondeo en la importación de la nómina.",
             sol="Encontramos una póliza de nómina descuadrada por un centavo de redondeo. Contraloría autorizó el "
                 "ajuste y el cierre se ejecutó correctamente.",
             code="resolved"),
        dict(s="Las existencias no cuadran con el conteo físico",
             d="En el almacén general el sistema muestra 120 piezas de un artículo y físicamente hay 95. Pasa con "
               "varios artículos de la misma familia.",
             u=2, i=2,
             q="¿Nos envía la lista de artículos con diferencia y la fecha del último conteo?",
             a="Les mando el Excel con 8 artículos; el conteo fue el sábado.",
             sol="Las diferencias vienen de traspasos entre almacenes que se enviaron pero no se recibieron. "
                 "Capacitamos al personal del almacén para recibirlos y se aplicaron los traspasos pendientes.",
             code="false_incident"),
        dict(s="No puedo autorizar órdenes de compra",
             d="Al autorizar una orden de compra aparece «Usuario sin permisos», aunque la semana pasada sí podía.",
             u=2, i=1,
             sol="Su perfil perdió el permiso de autorización al cambiar de puesto en el sistema. Con la autorización "
                 "de su jefe lo restablecimos.",
             code="resolved"),
        dict(s="El ERP se cierra al generar la antigüedad de saldos",
             d="Cuando genero el reporte de antigüedad de saldos de clientes, el ERP se cierra solo.",
             u=2, i=2,
             v=("Soporte del fabricante del ERP",
                "Es un error del ERP al generar reportes con más de 10 mil movimientos. Lo reportamos al fabricante; "
                "mientras tanto puede generar el reporte por rangos de clientes.", "ERP-"),
             sol="El fabricante liberó un parche para el reporte de antigüedad de saldos; lo aplicamos y el reporte "
                 "se genera completo.",
             code="vendor_fix"),
        dict(s="«No se puede conectar con el servidor de base de datos» al abrir el ERP",
             d="Al abrir el ERP aparece «No se puede conectar con el servidor de base de datos». Les pasa a todos en "
               "contabilidad.",
             u=3, i=3,
             n="Servicio de SQL Server detenido tras una actualización automática de Windows en el servidor.",
             sol="El servicio de base de datos se detuvo tras una actualización automática del servidor. Lo "
                 "iniciamos, configuramos su arranque automático y programamos las actualizaciones fuera de horario.",
             code="resolved"),
        dict(s="Crear el almacén de la sucursal {lugar}", request=True,
             d="Necesitamos un almacén nuevo en el ERP para {lugar}, con las mismas listas de precio que León Centro.",
             u=1, i=1,
             sol="Creamos el almacén con las listas de precios de León Centro y los permisos para su personal.",
             code="request_fulfilled"),
        dict(s="Permiso de consulta en cuentas por pagar para {nuevo}", request=True,
             d="Solicito permiso de solo consulta en cuentas por pagar para {nuevo}, del área de tesorería.",
             u=1, i=1,
             sol="Asignamos a {nuevo} el perfil de consulta de cuentas por pagar.",
             code="request_fulfilled"),
    ],
    "Punto de venta": [
        dict(s="La caja {caja} de {lugar} no imprime tickets",
             d="La impresora de la caja {caja} en {lugar} no imprime los tickets de venta; la luz parpadea en rojo.",
             u=3, i=2,
             q="¿Puede revisar si tiene papel y si la tapa está bien cerrada? Envíenos una foto de la luz de la "
               "impresora.",
             a="Tiene papel y la tapa está cerrada. Ya les mandé la foto.",
             sol="El cabezal de la impresora estaba atascado con un trozo de papel. Guiamos al gerente para retirarlo "
                 "y la impresora ya imprime.",
             code="resolved"),
        dict(s="La terminal bancaria de {lugar} rechaza todas las tarjetas",
             d="Desde la mañana la terminal de {lugar} rechaza todas las tarjetas con «Error de comunicación». Solo "
               "estamos cobrando en efectivo.",
             u=3, i=3,
             v=("Banco adquirente (terminales)",
                "La terminal requiere revisión del banco. Levantamos el reporte y el banco enviará a un técnico; le "
                "avisaremos en cuanto confirme la visita.", "BCO-"),
             sol="El banco reemplazó la terminal. Hicimos una venta de prueba con tarjeta y funciona.",
             code="vendor_fix"),
        dict(s="La caja no aplica la promoción 3x2 en {lugar}",
             d="En {lugar} la promoción 3x2 no se aplica en caja; cobra el precio completo.",
             u=2, i=2,
             n="La promoción se dio de alta con vigencia a partir de mañana.",
             sol="La promoción estaba configurada con fecha de inicio de mañana. Corregimos la vigencia y ya se aplica "
                 "en todas las cajas.",
             code="false_incident"),
        dict(s="El lector de código de barras de la caja {caja} no lee",
             d="El lector de la caja {caja} de {lugar} no lee los códigos; hay que teclear todo a mano.",
             u=2, i=1,
             sol="El lector estaba configurado en modo inventario. Lo regresamos al modo de venta con la tarjeta de "
                 "configuración.",
             code="resolved"),
        dict(s="Diferencia en el corte de caja de {lugar}",
             d="El corte de caja de ayer en {lugar} muestra una diferencia de $1,250 que no coincide con los tickets.",
             u=2, i=1,
             q="¿Nos envía el folio del corte y la relación de tickets cancelados del día?",
             a="El corte es el {folio}; ya les envié la relación.",
             sol="La diferencia corresponde a dos devoluciones registradas después del corte. Lo revisamos con el "
                 "gerente: no hay error en el sistema.",
             code="false_incident"),
        dict(s="La caja {caja} de {lugar} se congela al cobrar",
             d="La caja {caja} de {lugar} se congela al dar «Cobrar» y hay que reiniciarla.",
             u=3, i=2,
             sol="No pudimos reproducir el congelamiento después de revisar los registros y el disco de la caja. La "
                 "dejamos en observación: si vuelve a pasar, repórtelo con la hora exacta.",
             code="not_reproducible"),
        dict(s="Alta de cajero en {lugar}", request=True,
             d="Ingresó {nuevo} como cajero en {lugar}; necesita usuario en el punto de venta.",
             u=2, i=1,
             sol="Creamos el usuario de cajero de {nuevo} y se lo entregamos al gerente de tienda.",
             code="request_fulfilled"),
    ],
}

# Alerts opened by the monitoring tool (channel "monitoring").
MONITORING_TEMPLATES = {
    "Red": [
        dict(s="[Zabbix] Enlace WAN de {lugar} sin respuesta",
             d="Alerta automática: el ruteador de {lugar} no responde a ping desde hace 5 minutos (pérdida de "
               "paquetes: 100%).",
             u=3, i=3,
             v=("Telmex", "El enlace de la sucursal está caído por una falla del proveedor; ya hay reporte con Telmex.",
                "TMX-"),
             sol="Telmex restableció el enlace. El monitoreo confirma respuesta normal del ruteador.",
             code="vendor_fix"),
    ],
    "Portal web": [
        dict(s="[Zabbix] Portal de clientes: tiempo de respuesta mayor a 10 s",
             d="Alerta automática: el tiempo de respuesta de https://portal.{dominio} supera 10 s en las últimas 3 "
               "revisiones.",
             u=3, i=2,
             sol="Limpiamos la caché y reindexamos la base de datos del portal; el tiempo de respuesta volvió a menos "
                 "de 1 s.",
             code="resolved"),
    ],
    "ERP": [
        dict(s="[Zabbix] Disco D: del servidor del ERP al 95%",
             d="Alerta automática: la unidad D: del servidor del ERP tiene 95% de uso.",
             u=2, i=2,
             sol="Movimos respaldos antiguos al almacenamiento externo; la unidad quedó al 60%.",
             code="resolved"),
    ],
    "Correo": [
        dict(s="[Zabbix] Cola de correo saliente con más de 500 mensajes",
             d="Alerta automática: la cola del servidor de envío de facturas tiene 534 mensajes pendientes.",
             u=2, i=2,
             sol="Un proceso reintentaba envíos a una dirección inválida. Depuramos la cola y corregimos el correo "
                 "del cliente.",
             code="resolved"),
    ],
}

CUSTOMERS = ["Abarrotes La Providencia", "Distribuidora Leonesa", "Calzado Hidalgo", "Agroindustrias San Miguel",
             "Farmacias del Centro", "Papelería El Estudiante"]
NEW_PEOPLE = ["Miguel Ángel Rosas", "Daniela Paredes", "José Luis Ortiz", "Verónica Galván", "Arturo Bermúdez",
              "Mónica Estrada", "Raúl Zamora", "Itzel Cisneros"]

FIRST_REPLIES = [
    "Buen día, {nombre}. Recibimos su reporte y ya lo estamos revisando. Le mantendremos informado por este medio.",
    "Hola, {nombre}. Soy {agente}, de la mesa de ayuda, y daré seguimiento a su caso. Ya estoy revisando la "
    "información que nos envió.",
    "{nombre}, gracias por su reporte. Su caso ya está asignado; le escribo en cuanto tenga un diagnóstico.",
    "Buenas tardes, {nombre}. Ya estamos trabajando en su reporte; en breve le comparto los avances.",
]
GENERIC_QUESTION = ("¿Nos puede enviar una captura de pantalla del error y decirnos a qué hora ocurrió "
                    "aproximadamente?")
GENERIC_ANSWER = "Les envío la captura; ocurrió alrededor de las {hora}."
FOLLOW_UPS = [
    "¿Tienen alguna novedad? Seguimos con el problema.",
    "Les comento que el problema continúa. ¿Me pueden apoyar, por favor?",
    "Adjunto otra captura del error, por si les sirve.",
    "Buen día, ¿tienen un tiempo estimado de solución?",
]
WORK_NOTES = [
    "Revisado el protocolo del módulo; no hay incidentes similares abiertos.",
    "Llamé al usuario para confirmar el alcance: afecta solo a su área.",
    "Revisé la bitácora; el error empieza a aparecer a la hora reportada.",
    "Sesión remota con el usuario para reproducir el error.",
    "Busqué en la base de conocimiento: hay un caso similar resuelto el mes pasado.",
]
OPEN_NOTES = [
    "Pendiente de asignar: las personas de esta especialidad están atendiendo un incidente crítico.",
    "Revisar a primera hora; posible relación con la actualización de anoche.",
]
PROGRESS_REPLIES = [
    "{nombre}, ya identificamos la causa probable y estamos aplicando la corrección. Le confirmo en cuanto termine.",
    "Seguimos trabajando en su caso; por ahora le sugerimos no repetir la operación hasta que le confirmemos.",
]
ESCALATE_N2 = [
    "Se agotó el protocolo de N1 sin resolver; requiere revisar la configuración del servidor.",
    "Requiere acceso administrativo que N1 no tiene.",
    "El caso necesita análisis de la base de datos.",
]
ESCALATE_N3 = [
    "Sin causa identificada en N2; requiere el análisis de N3.",
    "La corrección requiere cambios en producción que solo autoriza N3.",
]
VENDOR_BACK_NOTES = [
    "El proveedor confirmó la corrección; pendiente validar con el usuario.",
    "El proveedor cerró su reporte; verificamos antes de solucionar.",
]
THANKS = ["¡Gracias! Ya quedó.", "Confirmo que ya funciona, muchas gracias por el apoyo.",
          "Todo bien, gracias.", "Perfecto, ya podemos trabajar. Gracias."]
REOPEN_MESSAGES = [
    "El problema volvió a presentarse hoy por la mañana.",
    "Sigue sin funcionar; lo intentamos de nuevo y aparece el mismo error.",
    "Funcionó un rato, pero ya falla otra vez.",
]
SECOND_SOLUTION = "Revisamos de nuevo y corregimos también la configuración que lo provocaba. "
WITHDRAW_MESSAGES = [
    "Ya no es necesario, lo resolvimos internamente. Pueden cancelar el reporte.",
    "Disculpen, fue un error nuestro. Ya quedó, cancelen el reporte por favor.",
]
OTHER_CANCEL_NOTES = [
    "Es una solicitud de compra de equipo nuevo: se canaliza al área de Compras, fuera del alcance de la póliza.",
    "El reporte es sobre un software de diseño que no está cubierto por la póliza; se informó al solicitante.",
    "Prueba del formulario hecha por personal de la empresa; no es un reporte real.",
]

# The satisfaction survey: what the requesters who answer it say, by what their ticket went
# through (demo/loader.py, `plan_answer`). The low ones say what a coordinator can act on.
SURVEY_COMMENTS = {
    "praise": [
        "Excelente atención, muy rápidos y amables. Gracias.",
        "Me explicaron paso a paso qué pasó y cómo evitarlo. Muy buen servicio.",
        "Quedó justo a tiempo para el cierre de mes. ¡Gracias!",
        "Muy profesional el técnico; además me avisó en cada avance.",
        "Todo perfecto, como siempre.",
    ],
    "good": [
        "Buen servicio. Solo sugiero avisar cuando el caso cambia de técnico.",
        "Quedó bien, aunque tuve que explicar el problema dos veces.",
        "Resuelto. Me hubiera gustado recibir una llamada en lugar de solo correos.",
        "Bien en general; tardó un poco, pero funcionó.",
    ],
    "slow": [
        "La solución fue buena, pero tardaron casi un día en contestar el primer correo.",
        "Nadie respondió el reporte en toda la mañana; tuve que llamar para que lo tomaran.",
        "Tardaron mucho en atenderlo y la tienda estuvo sin poder cobrar con tarjeta.",
    ],
    "fair": [
        "Se resolvió, pero el técnico no me dijo qué había causado la falla.",
        "Regular: me pidieron la misma captura de pantalla dos veces.",
        "Funcionó, aunque la explicación fue muy técnica para nosotros.",
    ],
    "reopened": [
        "La primera solución no duró ni un día; tuve que reportarlo otra vez.",
        "Lo dieron por resuelto sin probarlo con nosotros y volvió a fallar.",
        "Quedó hasta el segundo intento. Revisen por qué se cerró la primera vez.",
    ],
    "unsolved": [
        "No se resolvió: la falla volvió a los dos días y nadie le dio seguimiento.",
        "Sigue fallando igual que al principio. Necesito que alguien me llame.",
        "Cerraron el caso y en la sucursal seguimos sin poder trabajar.",
    ],
    "closed_unanswered": [
        "No alcancé a revisar la solución y el ticket ya estaba cerrado.",
        "Estuve de vacaciones y al regresar el caso ya estaba cerrado; nadie me llamó.",
    ],
    "closed_unanswered_unsolved": [
        "El problema sigue: cerraron el ticket sin confirmar conmigo.",
        "Cerraron el reporte mientras yo estaba fuera y la falla continúa.",
    ],
    "rude": [
        "El técnico fue poco amable por teléfono y me colgó antes de terminar.",
        "Me contestaron con un mensaje genérico que no tenía nada que ver con mi problema.",
    ],
}

# The demo's mix: how many tickets of each kind of story (about 200 in all).
PLAN_IN_FORCE = {
    Ticket.State.OPEN: 14,
    Ticket.State.IN_PROGRESS: 18,
    Ticket.State.PENDING_USER: 10,
    Ticket.State.PENDING_VENDOR: 7,
    Ticket.State.SOLVED: 14,
    Ticket.State.CLOSED: 92,
}
PLAN_CANCELLED = {"duplicate": 6, "withdrawn": 5, "other": 3}
PLAN_MONITORING = {Ticket.State.OPEN: 1, Ticket.State.IN_PROGRESS: 1, Ticket.State.CLOSED: 7}
PLAN_EXPIRED_BEFORE = 12  # served (and closed) while its policy was in force
PLAN_EXPIRED_AFTER = 5  # cancelled at intake: no policy in force
PLAN_NO_POLICY = 5
PLAN_UNAUTHORIZED = 9  # unauthorized contacts of every organization, and the orphan sender

# Who answers the survey of a closed ticket (the monitoring tool never does), and how they rate.
SURVEY_ANSWER_SHARE = {"accepted": 0.75, "closed_unanswered": 0.5}
SURVEY_RATING_WEIGHTS = {  # 1 to 5 stars, by what the ticket went through
    "smooth": [1, 2, 7, 32, 58],
    "slow": [5, 8, 30, 35, 22],
    "closed_unanswered": [3, 4, 14, 36, 43],
    "reopened": [12, 15, 28, 28, 17],
}
SURVEY_SOLVED_SHARE = {1: 0.35, 2: 0.5, 3: 0.85, 4: 0.97, 5: 1.0}  # "¿Se resolvió?" yes, by rating
SURVEY_COMMENT_SHARE = {1: 1.0, 2: 1.0, 3: 0.7, 4: 0.35, 5: 0.4}
